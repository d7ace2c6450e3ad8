"""Operators' commands on runs: ``tillsync runs``, ``retry`` and ``abandon`` (their logic:
``starter.control.runs``)."""

from pathlib import Path
from typing import Annotated

import typer

from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.cli.console import fail, finish, stdout_console, table


def register(app: typer.Typer) -> None:
    app.command(help="list transaction runs")(runs)
    app.command(help="retry a parked run (after fixing its cause)")(retry)
    app.command(help="give up a parked run")(abandon)


def runs(
    stage: Annotated[str | None, typer.Option(help="e.g. parked")] = None,
    store: Annotated[str | None, typer.Option(help="one store's runs")] = None,
    json: Annotated[bool, typer.Option("--json", help="one JSON object per run")] = False,
) -> None:
    finish(_runs(Settings(), stage, store, as_json=json))


async def _runs(settings: Settings, stage: str | None, store: str | None, *, as_json: bool) -> int:
    from connectors.temporal.client import connect
    from starter.control.runs import list_runs

    client = await connect(settings)
    rows: list[list[str]] = []
    async for run in list_runs(client, stage=stage, store_id=store):
        if as_json:
            print(run.model_dump_json(), flush=True)
        else:
            rows.append([run.workflow_id, run.stage or "-", run.exception_kind or "", run.status])
    if not as_json:
        columns = ["workflow id", "stage", "exception", "status"]
        stdout_console().print(table(f"{len(rows)} runs", columns, rows))
    return 0


def retry(
    workflow_id: Annotated[str | None, typer.Argument()] = None,
    all_parked: Annotated[bool, typer.Option("--all-parked", help="every parked run")] = False,
    note: str = "",
    amended: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="a corrected ticket (same store, terminal and transaction id) to book instead",
        ),
    ] = None,
) -> None:
    if (workflow_id is None) == (not all_parked):
        raise typer.BadParameter("give one WORKFLOW_ID or --all-parked")
    finish(_retry(Settings(), workflow_id, all_parked, note, amended))


async def _retry(
    settings: Settings,
    workflow_id: str | None,
    all_parked: bool,
    note: str,
    amended_file: Path | None,
) -> int:
    from connectors.temporal.client import connect
    from starter.control.runs import parked_run_ids, retry_run

    amended: PosTransaction | None = None
    if amended_file is not None:
        if all_parked:
            return fail("--amended goes with one run, not --all-parked", 2)
        loaded = _amended_ticket(amended_file)
        if isinstance(loaded, str):
            return fail(loaded, 2)
        amended = loaded
    client = await connect(settings)
    targets = await parked_run_ids(client) if all_parked else [workflow_id or ""]
    if not targets:
        print("no parked runs")
    refused = 0
    for target in targets:
        reply = await retry_run(client, target, note, amended)
        print(f"{target}: {reply.message}")
        refused += not reply.accepted
    return 1 if refused else 0


def _amended_ticket(path: Path) -> PosTransaction | str:
    """The one valid ticket in ``path``, or what is wrong with the file."""
    from starter.intake.loading import load_files

    try:
        [loaded] = load_files([path])
    except (FileNotFoundError, ValueError) as error:
        return f"{path}: {error}"
    if loaded.rejects:
        errors = [f"{error.field}: {error.reason}" for error in loaded.rejects[0].errors]
        return f"{path}: not a valid ticket: " + "; ".join(errors)
    if len(loaded.transactions) != 1:
        return f"{path}: holds {len(loaded.transactions)} tickets, not one"
    return loaded.transactions[0]


def abandon(
    workflow_id: str,
    reason: Annotated[str, typer.Option(help="why the run is given up")],
) -> None:
    finish(_abandon(Settings(), workflow_id, reason))


async def _abandon(settings: Settings, workflow_id: str, reason: str) -> int:
    from connectors.temporal.client import connect
    from starter.control.runs import abandon_run

    reply = await abandon_run(await connect(settings), workflow_id, reason)
    print(f"{workflow_id}: {reply.message}")
    return 0 if reply.accepted else 1
