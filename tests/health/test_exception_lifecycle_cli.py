"""``tillsync exceptions ack|assign|note`` through the typer app: one exception by id or all
matching the page's filters (--store, --kind, --owner), recorded as the page records them
(the queue the page lists shows them), with --json; wrong requests refused with exit 2. The
filtered ones run the console script's entry point in a process of its own."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from domain.outcomes import ExceptionKind
from starter.cli import app as cli
from starter.health_page.passwords import hash_password
from tests.store_records import open_exceptions

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SEEDED = [
    ("S-LC-1", ExceptionKind.TOTALS_MISMATCH),  # store ops
    ("S-LC-1", ExceptionKind.PERIOD_REDATED),  # finance
    ("S-LC-2", ExceptionKind.RECEIPT_GAP),  # store ops
]


def _env(tmp_path: Path) -> tuple[dict[str, str], list[int]]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    ids = open_exceptions(url, SEEDED, T0)
    account = {"password_hash": hash_password("pw"), "roles": ["store_ops"]}
    operators = json.dumps({"sam": account, "ivan": account})
    env = {
        "TILLSYNC_STORE_URL": url,
        "TILLSYNC_DATA_DIR": str(tmp_path),
        "TILLSYNC_HEALTH_USERS": operators,
    }
    return env, ids


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, ["exceptions", *args], env=env)
    return result.exit_code, result.output


def _run_console(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Through the console script's entry point, in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "starter.cli", "exceptions", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def _queue(env: dict[str, str]) -> dict[int, dict[str, Any]]:
    code, output = _run(env, "list", "--json")
    assert code == 0, output
    return {item["id"]: item for item in map(json.loads, output.splitlines())}


def test_one_exception_acknowledged_by_id(tmp_path: Path) -> None:
    env, (sku, redated, location) = _env(tmp_path)
    code, output = _run(env, "ack", str(sku), "--by", "sam", "--json")
    assert code == 0, output
    [changed] = [json.loads(line) for line in output.splitlines()]
    assert (changed["id"], changed["acknowledged_by"]) == (sku, "sam")
    queue = _queue(env)
    assert queue[sku]["acknowledged_by"] == "sam"
    assert queue[redated]["acknowledged_by"] is None
    assert queue[location]["acknowledged_by"] is None


def test_all_matching_a_filter_assigned_and_annotated(tmp_path: Path) -> None:
    env, (sku, redated, location) = _env(tmp_path)

    code, output = _run_console(env, "assign", "--store", "S-LC-1", "--to", "ivan", "--by", "sam")
    assert code == 0, output
    assert output.strip() == f"2 exceptions assigned to ivan by sam: {sku}, {redated}"

    code, output = _run_console(
        env, "note", "--owner", "store_ops", "--text", "mapping asked of HQ", "--by", "ivan"
    )
    assert code == 0, output
    assert output.strip() == f"2 exceptions noted by ivan: {sku}, {location}"

    code, output = _run_console(env, "ack", "--kind", "period_redated", "--by", "ivan", "--json")
    assert code == 0, output
    assert [json.loads(line)["id"] for line in output.splitlines()] == [redated]

    queue = _queue(env)
    assert [queue[number]["assignee"] for number in (sku, redated, location)] == [
        "ivan",
        "ivan",
        None,
    ]
    notes = {number: [(n["author"], n["text"]) for n in queue[number]["notes"]] for number in queue}
    assert notes == {
        sku: [("ivan", "mapping asked of HQ")],
        redated: [],
        location: [("ivan", "mapping asked of HQ")],
    }
    assert queue[redated]["acknowledged_by"] == "ivan"


def test_wrong_requests_are_refused_and_change_nothing(tmp_path: Path) -> None:
    env, (sku, _redated, location) = _env(tmp_path)
    refusals = {
        ("ack", "--by", "sam"): "name exception ids or a filter",
        ("assign", str(sku), "--to", "nobody", "--by", "sam"): "no operator named 'nobody'",
        ("note", str(sku), "--text", "  ", "--by", "sam"): "an empty note",
        ("ack", "999", "--by", "sam"): "not open (or outside the filter): [999]",
        ("ack", str(location), "--store", "S-LC-1", "--by", "sam"): "outside the filter",
        ("ack", str(sku), "--by", "x" * 65): "a name of 1 to 64 characters",
    }
    for args, reason in refusals.items():
        code, output = _run(env, *args)
        assert (code, reason in output) == (2, True), (args, output)
    code, _ = _run(env, "ack", "--owner", "nobody")
    assert code == 2, "an unknown owner role"
    assert all(
        (item["acknowledged_by"], item["assignee"], item["notes"]) == (None, None, [])
        for item in _queue(env).values()
    )


def test_no_match_records_nothing_and_says_so(tmp_path: Path) -> None:
    env, _ = _env(tmp_path)
    code, output = _run(env, "ack", "--store", "S-NONE", "--by", "sam")
    assert (code, output.strip()) == (0, "no open exception matches")
    code, output = _run(env, "ack", "--store", "S-NONE", "--by", "sam", "--json")
    assert (code, output) == (0, "")
