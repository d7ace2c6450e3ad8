"""docker-compose.yml: Temporal's maintained images, the codec on every tillsync service with
its keys as secrets, the codec server wired to the UI, the metrics ports.

``docker compose config`` validates the file where the docker CLI has its compose plugin (or
TILLSYNC_TEST_COMPOSE names a compose binary); the structure is checked everywhere."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from workflows import search_attributes

COMPOSE_FILE = Path(__file__).parents[2] / "docker-compose.yml"
ERP = {
    "TILLSYNC_ERP_URL": "https://erp",
    "TILLSYNC_ERP_DATABASE": "db",
    "TILLSYNC_ERP_API_KEY": "k",
}
DEFAULTED = re.compile(r"\$\{[A-Z_]+:-([^}]*)\}")
"""``${NAME:-default}``, read as compose reads it when NAME is unset"""


def compose_command() -> list[str] | None:
    configured = os.environ.get("TILLSYNC_TEST_COMPOSE")
    if configured:
        return [configured]
    if shutil.which("docker") is None:
        return None
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return ["docker", "compose"] if probe.returncode == 0 else None


def raw_compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def env_of(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: DEFAULTED.sub(r"\1", str(value)) for key, value in environment.items()}


def secrets_of(service: dict[str, Any]) -> set[str]:
    return {
        item if isinstance(item, str) else item["source"] for item in service.get("secrets", [])
    }


def tillsync_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: service for name, service in compose["services"].items() if "build" in service}


def check_structure(compose: dict[str, Any]) -> None:
    services = compose["services"]
    images = {name: str(service.get("image", "")) for name, service in services.items()}
    assert not [image for image in images.values() if "auto-setup" in image], images
    assert images["temporal"].startswith("temporalio/server:")
    assert images["temporal-schema"].startswith("temporalio/admin-tools:")
    assert images["temporal-setup"].startswith("temporalio/admin-tools:")
    schema_done = services["temporal"]["depends_on"]["temporal-schema"]["condition"]
    assert schema_done == "service_completed_successfully"

    ours = tillsync_services(compose)
    assert set(ours) == {"codec-server", "worker", "ingest"}
    for name, service in ours.items():
        environment = env_of(service)
        assert environment["TILLSYNC_CODEC_KEYS_FILE"] == "/run/secrets/codec-keys", name
        assert "codec-keys" in secrets_of(service), name
        assert "TILLSYNC_CODEC_KEYS" not in environment, f"{name}: keys belong in a secret"
        assert environment.get("TILLSYNC_CODEC", "on") != "off", name
    declared = compose["secrets"]
    used = set().union(*(secrets_of(service) for service in services.values()))
    assert used == set(declared) and all("file" in declared[name] for name in used)

    codec_server = ours["codec-server"]
    assert "codec-server" in codec_server["command"]
    assert env_of(codec_server)["TILLSYNC_CODEC_SERVER_TOKENS_FILE"].startswith("/run/secrets/")
    assert "codec-server-tokens" in secrets_of(codec_server)
    ui_codec = env_of(services["temporal-ui"])["TEMPORAL_CODEC_ENDPOINT"]
    assert ui_codec.rsplit(":", 1)[1] == published_port(codec_server)
    assert env_of(codec_server)["TILLSYNC_CODEC_SERVER_ORIGINS"] == "http://localhost:8233"
    assert published_port(services["temporal-ui"]) == "8233"
    check_oidc(env_of(services["temporal-ui"]), env_of(codec_server))

    worker = ours["worker"]
    metrics_port = env_of(worker)["TILLSYNC_WORKER_METRICS_PORT"]
    assert metrics_port in [str(port) for port in worker["expose"]]
    registered = " ".join(services["temporal-setup"]["command"])
    for key in search_attributes.ALL:
        assert f"--name {key.name} " in registered, key.name


def check_oidc(ui: dict[str, str], codec_server: dict[str, str]) -> None:
    """The UI's login and the codec server's token check name one issuer, and the UI passes
    the user's access token exactly when its login is on."""
    assert ui["TEMPORAL_AUTH_PROVIDER_URL"] == codec_server["TILLSYNC_CODEC_SERVER_OIDC_ISSUER"]
    assert ui["TEMPORAL_CODEC_PASS_ACCESS_TOKEN"] == ui["TEMPORAL_AUTH_ENABLED"]
    for name in ("AUDIENCE", "REQUIRED_CLAIM", "REQUIRED_VALUE"):
        assert f"TILLSYNC_CODEC_SERVER_OIDC_{name}" in codec_server, name


def published_port(service: dict[str, Any]) -> str:
    [port] = service["ports"]
    return str(port["published"]) if isinstance(port, dict) else str(port).split(":")[0]


def test_the_compose_file_has_the_maintained_images_the_codec_and_the_metrics() -> None:
    check_structure(raw_compose())


def test_the_ui_login_is_off_by_default_and_its_client_secret_is_not_in_the_file() -> None:
    ui = raw_compose()["services"]["temporal-ui"]["environment"]

    assert env_of({"environment": ui})["TEMPORAL_AUTH_ENABLED"] == "false"
    assert ui["TEMPORAL_AUTH_CLIENT_SECRET"] == "${TEMPORAL_AUTH_CLIENT_SECRET:-}"


def test_docker_compose_config_accepts_the_file() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no `docker compose` (nor TILLSYNC_TEST_COMPOSE): the structure test stands")
    environment = {**os.environ, **ERP}
    run = [*command, "-f", str(COMPOSE_FILE)]

    quiet = subprocess.run([*run, "config", "-q"], capture_output=True, text=True, env=environment)
    resolved = subprocess.run(
        [*run, "config", "--format", "json"], capture_output=True, text=True, env=environment
    )

    assert (quiet.returncode, quiet.stderr) == (0, ""), quiet.stderr
    assert resolved.returncode == 0, resolved.stderr
    check_structure(json.loads(resolved.stdout))


def test_docker_compose_config_refuses_a_stack_without_the_erp() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no `docker compose` (nor TILLSYNC_TEST_COMPOSE)")
    environment = {key: value for key, value in os.environ.items() if key not in ERP}

    run = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config"],
        capture_output=True,
        text=True,
        env=environment,
    )

    assert "required variable TILLSYNC_ERP_" in run.stderr, run.stderr
