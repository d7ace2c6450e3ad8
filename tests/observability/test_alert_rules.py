"""The shipped Prometheus rules: valid (`promtool check rules`), each alert firing and resolving
(`promtool test rules`), each naming its owner role and its runbook entry, which exists."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import cast
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import yaml
from sqlalchemy import Engine
from temporalio.client import Client

from domain.outcomes import ExceptionKind
from domain.reconciliation import ReconciliationReport
from domain.settings import Settings

RULES = Path(__file__).parents[2] / "ops" / "prometheus" / "tillsync-rules.yml"
RULE_TESTS = RULES.with_name("tillsync-rules.test.yml")
RUNBOOK = Path(__file__).parents[2] / "docs" / "runbook.md"
REPOSITORY = Path(__file__).parents[2]
PAGE = "http://localhost:8090"
"""The sync-health page's address in the shipped rules (`tillsync dev`'s)."""
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool missing: `make install` installs Debian's prometheus"
)


def _promtool(*args: str) -> str:
    assert PROMTOOL is not None
    done = subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@needs_promtool
def test_the_rules_are_valid() -> None:
    assert "SUCCESS: 7 rules found" in _promtool("check", "rules", str(RULES))


@needs_promtool
def test_the_compose_stacks_prometheus_config_is_valid() -> None:
    assert "is valid prometheus config" in _promtool(
        "check", "config", str(RULES.with_name("prometheus.yml"))
    )


@needs_promtool
def test_each_alert_fires_and_resolves() -> None:
    assert "SUCCESS" in _promtool("test", "rules", str(RULE_TESTS))


def _alerts() -> list[dict[str, object]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_every_alert_is_tested_firing_and_resolved() -> None:
    tests = yaml.safe_load(RULE_TESTS.read_text())["tests"]
    for alert in _alerts():
        checks = [
            check
            for test in tests
            for check in test["alert_rule_test"]
            if check["alertname"] == alert["alert"]
        ]
        fired = [check for check in checks if check["exp_alerts"]]
        assert fired, f"{alert['alert']} is never tested firing"
        last_firing = max(check["eval_time"] for check in fired)
        assert any(
            not check["exp_alerts"] and _minutes(check["eval_time"]) > _minutes(last_firing)
            for check in checks
        ), f"{alert['alert']} is never tested resolving"


def test_every_alert_names_its_owner_and_a_runbook_entry_that_exists() -> None:
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', RUNBOOK.read_text()))
    for alert in _alerts():
        labels = alert.get("labels", {})
        annotations = alert["annotations"]
        assert isinstance(labels, dict) and isinstance(annotations, dict)
        owner = labels.get("owner") or ("owner" in str(alert["expr"]) and "by metric")
        assert owner in {"store_ops", "finance", "it", "by metric"}, alert["alert"]
        anchor = str(annotations["runbook"]).split("#", 1)[1]
        if "{{" not in anchor:
            assert anchor in anchors, f"{alert['alert']}: docs/runbook.md has no #{anchor}"


def _minutes(duration: str) -> int:
    hours, _, rest = duration.partition("h") if "h" in duration else ("0", "", duration)
    return int(hours) * 60 + int(rest.rstrip("m") or 0)


def test_the_runbook_has_an_entry_per_exception_kind_naming_its_owner() -> None:
    text = RUNBOOK.read_text()
    owners = {"store_ops": "store ops", "finance": "finance", "it": "IT", "inventory": "inventory"}
    for kind in ExceptionKind:
        anchor = f'<a id="{kind.value}"></a>\n### {kind.value} '
        assert anchor in text, f"no runbook entry for {kind.value}"
        heading = text.split(anchor, 1)[1].split("\n", 1)[0]
        assert f"(owner: {owners[kind.owner.value]}" in heading, heading


async def test_every_alert_links_to_where_the_sync_health_page_shows_it() -> None:
    from starter.health_page.app import create_app

    app = create_app(Settings(), cast(Client, None), cast(Engine, None), _no_reconciliation)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=PAGE
    ) as page_server:
        for alert in _alerts():
            annotations = alert["annotations"]
            assert isinstance(annotations, dict)
            page = urlsplit(str(annotations["page"]))
            assert f"{page.scheme}://{page.netloc}" == PAGE, alert["alert"]
            answer = await page_server.get(page.path)
            assert answer.status_code == 401, f"{alert['alert']}: the page serves no {page.path}"
            for name, value in parse_qsl(page.query):
                assert name in {"store", "kind", "role"}, (alert["alert"], name)
                if name == "kind" and "{{" not in value:
                    ExceptionKind(value)
            if page.fragment:
                assert page.fragment in {"anomalies", "store-{{ $labels.store }}"}, alert["alert"]
    template = (REPOSITORY / "starter/health_page/templates/overview.html").read_text()
    assert 'id="store-{{ store.store_id }}"' in template and 'id="{{ panel.anchor }}"' in template


async def _no_reconciliation(*_: object) -> ReconciliationReport:
    raise AssertionError("not asked")
