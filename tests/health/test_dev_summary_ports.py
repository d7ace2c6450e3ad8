"""``tillsync dev``'s summary names the sync-health page and the metrics where they really
answer: with the default ports taken, the page and the worker's /metrics move to free ports
(said so at the start), and the URLs printed answer as ours; a server that is not up is
printed as not served, never as a URL."""

import asyncio
import os
import re
import signal
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from connectors.erp.tryton_sandbox import ensure_template
from connectors.erp.tryton_sandbox.subprocesses import free_port
from domain.settings import Settings
from starter.devstack import dev_ports
from starter.devstack.dev_ports import is_health_page, is_metrics, served, with_free_ports
from tests.erp_fixtures import erp_template_cache_dir

REPOSITORY = Path(__file__).resolve().parents[2]


@contextmanager
def _taken_port() -> Iterator[int]:
    """A port another program listens on (not HTTP: it never answers)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


async def test_a_taken_port_moves_and_an_absent_server_is_not_served(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _taken_port() as taken:
        settings = Settings(health_port=taken, worker_metrics_port=0, ingest_port=free_port())
        moved, notes = with_free_ports(settings)
        assert moved.health_port != taken and moved.worker_metrics_port == 0
        assert notes == [
            f"port {taken} is taken: the sync-health page listens on {moved.health_port} instead"
        ]
        monkeypatch.setattr(dev_ports, "PROBE_SECONDS", 0.5)
        held = f"http://127.0.0.1:{taken}/"
        assert await served(held, is_health_page, "TILLSYNC_HEALTH_PORT") == (
            f"not served (nothing of ours answers on {held}: see the errors above)"
        )
        assert await served(None, is_metrics, "TILLSYNC_WORKER_METRICS_PORT") == (
            "not served (TILLSYNC_WORKER_METRICS_PORT is 0)"
        )


@pytest.mark.erp
@pytest.mark.temporal
async def test_tillsync_dev_prints_the_urls_it_serves_when_the_defaults_are_taken(
    tmp_path: Path,
) -> None:
    await asyncio.to_thread(ensure_template, erp_template_cache_dir())  # built once, cached
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "erp-template").symlink_to(erp_template_cache_dir().resolve())
    with ExitStack() as stack:
        page_port = stack.enter_context(_taken_port())
        metrics_port = stack.enter_context(_taken_port())
        env = {
            **os.environ,
            "TILLSYNC_DATA_DIR": str(tmp_path),
            "TILLSYNC_STORE_URL": "",
            "TILLSYNC_HEALTH_PORT": str(page_port),
            "TILLSYNC_WORKER_METRICS_PORT": str(metrics_port),
            "TILLSYNC_TEMPORAL_METRICS_PORT": str(free_port()),
            "TILLSYNC_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
            "TILLSYNC_TEMPORAL_UI_PORT": str(free_port()),
            "TILLSYNC_ERP_SANDBOX_PORT": str(free_port()),
            "TILLSYNC_INGEST_PORT": str(free_port()),
            "TILLSYNC_CODEC_SERVER_PORT": str(free_port()),
        }
        dev = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "starter.cli",
            "dev",
            "--keep",
            "--examples",
            str(tmp_path / "no-examples"),
            cwd=REPOSITORY,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert dev.stdout is not None
        printed: list[str] = []
        try:
            async with asyncio.timeout(240):
                while not printed or "The stack is up" not in printed[-1]:
                    line = (await dev.stdout.readline()).decode()
                    assert line, "tillsync dev ended early:\n" + "".join(printed)
                    printed.append(line)
            output = "".join(printed)
            page = re.search(r"^Sync health: (\S+) ", output, re.M)
            metrics = re.search(r"^Metrics: (\S+) \(worker\)\s+(\S+) \(ingest\)", output, re.M)
            assert page and metrics, output
            page_url, worker_url, ingest_url = page[1], metrics[1], metrics[2]
            assert page_url.startswith("http://localhost:") and f":{page_port}/" not in page_url
            assert f":{metrics_port}/" not in worker_url
            assert f"port {page_port} is taken: the sync-health page listens on" in output
            assert f"port {metrics_port} is taken: the worker's /metrics listens on" in output
            assert is_health_page(*await asyncio.to_thread(_get, page_url)), page_url
            status, body = await asyncio.to_thread(_get, worker_url)
            assert status == 200 and "tillsync_sync_lag_seconds" in body
            assert is_metrics(*await asyncio.to_thread(_get, ingest_url)), ingest_url
        finally:
            if dev.returncode is None:
                dev.send_signal(signal.SIGINT)
                async with asyncio.timeout(60):
                    await dev.wait()
    assert dev.returncode == 0
