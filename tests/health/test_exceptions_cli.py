"""``tillsync exceptions list`` through the typer app: a rich table for people, JSON lines
(unchanged) with --json, the page's filters parsed (an unknown role refused)."""

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from domain.outcomes import ExceptionKind
from starter.cli import app as cli
from tests.store_records import open_exceptions

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _store_with_exceptions(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    seeded = [("S-CLI-1", ExceptionKind.UNMAPPED_SKU), ("S-CLI-2", ExceptionKind.UNMAPPED_LOCATION)]
    open_exceptions(url, seeded, T0)
    return {"TILLSYNC_STORE_URL": url, "TILLSYNC_DATA_DIR": str(tmp_path)}


def test_exceptions_list_is_a_table_unless_json(tmp_path: Path) -> None:
    env = _store_with_exceptions(tmp_path)
    runner = CliRunner()

    shown = runner.invoke(cli.app, ["exceptions", "list", "--store", "S-CLI-1"], env=env)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].strip() == "1 open exceptions"
    header = next(line for line in lines if "kind" in line)
    assert [name for name in header.replace("┃", " ").split()] == [
        "id",
        "kind",
        "owner",
        "store",
        "transaction",
        "age",
        "message",
        "state",
    ]
    [row] = [line for line in lines if "S-CLI-1" in line and "unmapped_sku" in line]
    assert "A-0001" in row and "unmapped_sku at S-CLI-1" in row
    assert "S-CLI-2" not in shown.output

    as_json = runner.invoke(cli.app, ["exceptions", "list", "--json"], env=env)
    assert as_json.exit_code == 0, as_json.output
    listed = [json.loads(line) for line in as_json.output.splitlines()]
    assert sorted(item["store_id"] for item in listed) == ["S-CLI-1", "S-CLI-2"]
    assert {item["kind"] for item in listed} == {"unmapped_sku", "unmapped_location"}


def test_exceptions_commands_refuse_what_argparse_refused(tmp_path: Path) -> None:
    env = _store_with_exceptions(tmp_path)
    runner = CliRunner()
    unknown_role = runner.invoke(cli.app, ["exceptions", "list", "--role", "nobody"], env=env)
    assert unknown_role.exit_code == 2
    no_reason = runner.invoke(cli.app, ["exceptions", "abandon", "--store", "S-CLI-1"], env=env)
    assert no_reason.exit_code == 2
    no_target = runner.invoke(cli.app, ["exceptions", "abandon", "--reason", "all?"], env=env)
    assert no_target.exit_code == 2
    assert "name exception ids or a filter" in no_target.output
