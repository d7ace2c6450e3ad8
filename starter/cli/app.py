"""The ``tillsync`` command line: one typer app, its commands grouped by area.

Here: the embedded stack, submissions, mappings, the ERP connection, the store's schema.
The other commands sit beside this module in ``starter/cli/``, one module an area: runs
(``run_commands``), intake: ingest, replay, catalog (``intake_commands``), finance: period,
reconcile, posting (``finance_commands``), the exception queue and the sync-health page
(``exception_commands``), master data to the tills (``master_data_commands``), the codec
server (``codec_command``), sync health (``kpi_command``, ``anomalies_command``). What they do
lives in the other rooms of ``starter/``: ``intake/`` (submission, replay, formats),
``control/`` (runs, schedules, the period close), ``reports/``, ``devstack/``, ``ingest/``,
``health_page/``, ``codec_server/``.

To add a command: put its logic in a module of its own; in the area's commands module (or a
new one, registered in ``_assemble`` below) write a function with typed parameters
(``Annotated[..., typer.Option(help=...)]``) that calls ``finish(coroutine)``, the coroutine
returning the exit code, and register it with ``app.command()`` (a top-level command) or on the
area's sub-app (``period_app.command()``, ...). Keep ``--json`` output plain ``print`` of JSON;
tables for people go through ``starter.cli.console`` (rich).
"""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.cli import (
    anomalies_command,
    exception_commands,
    finance_commands,
    intake_commands,
    kpi_command,
    master_data_commands,
    run_commands,
    stock_ledger_command,
)
from starter.cli import codec_command as codec_commands
from starter.cli.console import fail, finish
from starter.intake.submission import SubmitResult
from worker import exit_without_teardown

app = typer.Typer(
    name="tillsync",
    help="tillsync: keeps a retailer's ERP in step with its store tills.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # plain tracebacks; rich's show locals (the ERP's API key)
)
mappings_app = typer.Typer(help="POS -> ERP code mappings", no_args_is_help=True)
erp_app = typer.Typer(help="the ERP connection", no_args_is_help=True)
db_app = typer.Typer(help="the store's schema (alembic migrations)", no_args_is_help=True)


def main(argv: list[str] | None = None) -> None:
    """The console script: run the app, then exit without interpreter teardown (see
    ``worker.exit_without_teardown``)."""
    try:
        app(args=argv, prog_name="tillsync")
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    exit_without_teardown(code)


@app.command(help="run the embedded stack and replay the demo store day")
def dev(
    keep: Annotated[bool, typer.Option("--keep", help="keep the stack up until Ctrl-C")] = False,
    examples: Path = Path("examples"),
    fresh: Annotated[
        bool, typer.Option("--fresh", help="forget earlier runs and ERP books")
    ] = False,
) -> None:
    from starter.devstack.dev_stack import run_dev

    finish(run_dev(Settings(), examples=examples, keep=keep, fresh=fresh))


@app.command(help="start one workflow per transaction")
def submit(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...")],
    wait: Annotated[bool, typer.Option("--wait", help="wait until each run settles")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="one JSON object per transaction")
    ] = False,
    stock_events: Annotated[
        bool,
        typer.Option("--stock-events", help="the files hold transfer and receipt events"),
    ] = False,
) -> None:
    finish(_submit(Settings(), paths, wait=wait, as_json=as_json, stock_events=stock_events))


async def _submit(
    settings: Settings, paths: list[Path], *, wait: bool, as_json: bool, stock_events: bool
) -> int:
    from connectors.temporal.client import connect
    from starter.intake.loading import load_files, write_rejects
    from starter.intake.submission import Submitter, rejected_results
    from store.db import create_store_engine

    if stock_events:
        from starter.intake.stock_event_files import submit_stock_events

        return await submit_stock_events(
            paths,
            settings,
            wait=wait,
            report=lambda result: _print_result(result, as_json=as_json),
        )
    loaded = load_files(paths)
    rejected = write_rejects(settings.rejects_file, loaded)
    for result in rejected_results(loaded):
        _print_result(result, as_json=as_json)
    transactions: list[PosTransaction] = [txn for item in loaded for txn in item.transactions]
    submitter = Submitter(
        await connect(settings),
        create_store_engine(settings.resolved_store_url),
        settings.task_queue,
    )
    for result in await submitter.submit_all(transactions, wait=wait):
        _print_result(result, as_json=as_json)
    if rejected and not as_json:
        print(f"{rejected} rejected; details in {settings.rejects_file}", file=sys.stderr)
    return 1 if rejected else 0


def _print_result(result: SubmitResult, *, as_json: bool) -> None:
    if as_json:
        print(result.model_dump_json(exclude_none=True))
        return
    outcome = result.outcome.value if result.outcome else "started"
    line = f"{outcome:<10} {result.workflow_id or result.transaction_id}"
    if result.erp and result.erp.invoice_number:
        line += f"  invoice {result.erp.invoice_number}"
    if result.exception_kind:
        line += f"  [{result.exception_kind}] {result.message}"
    for error in result.errors or []:
        line += f"\n           {error}"
    print(line)


@mappings_app.command("import", help="load a mappings CSV")
def mappings_import(file: Path) -> None:
    finish(_mappings_import(Settings(), file))


async def _mappings_import(settings: Settings, file: Path) -> int:
    from starter.intake.mappings_csv import MappingFileError, import_mappings_file

    try:
        added, updated = import_mappings_file(settings.resolved_store_url, file)
    except MappingFileError as error:
        return fail(str(error), 2)
    print(f"{added} mappings added, {updated} updated from {file}")
    return 0


@erp_app.command("info", help="URL, database and API key of the ERP")
def erp_info(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    from connectors.erp.factory import sandbox_info_path

    settings = Settings()
    if settings.erp_url:
        info = {
            "url": settings.erp_url,
            "database": settings.erp_database,
            "api_key": settings.erp_api_key.get_secret_value(),
            "company_id": settings.erp_company_id,
        }
    elif sandbox_info_path(settings).exists():
        info = json.loads(sandbox_info_path(settings).read_text())
    else:
        fail("no ERP configured and no sandbox running (`tillsync dev --keep`)")
        raise typer.Exit(1)
    if as_json:
        print(json.dumps(info))
    else:
        for key, value in info.items():
            print(f"{key}: {value}")


@db_app.command("upgrade", help="migrate the store to the head revision")
def db_upgrade() -> None:
    from store.db import store_engine
    from store.schema import describe_upgrade, upgrade_store

    settings = Settings()
    if not settings.store_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = store_engine(settings.resolved_store_url)
    print(describe_upgrade(engine, upgrade_store(engine)))


@db_app.command("revision", help="write the next migration from the models (developers)")
def db_revision(
    message: Annotated[str, typer.Argument(help='what it changes: "add the refunds table"')],
) -> None:
    from store.schema import new_revision

    written = new_revision(message)
    print(f"wrote {written}" if written else "the models match the head revision: nothing to write")


@app.command(help="JSON Schema of the canonical transaction")
def schema() -> None:
    print(json.dumps(PosTransaction.model_json_schema(), indent=2))


def _assemble() -> None:
    run_commands.register(app)
    intake_commands.register(app)
    finance_commands.register(app)
    exception_commands.register(app)
    master_data_commands.register(app)
    codec_commands.register(app)
    kpi_command.register(app)
    anomalies_command.register(app)
    stock_ledger_command.register(app)
    app.add_typer(mappings_app, name="mappings")
    app.add_typer(erp_app, name="erp")
    app.add_typer(db_app, name="db")


_assemble()

if __name__ == "__main__":
    main()
