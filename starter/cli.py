"""The `tillsync` command line: the embedded stack, submissions, mappings and operator actions."""

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.finance import add_finance_commands
from starter.intake_commands import add_intake_commands
from starter.submission import SubmitResult
from worker import exit_without_teardown


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings()
    handler: Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]] = args.handler
    try:
        code = asyncio.run(handler(args, settings))
    except KeyboardInterrupt:
        code = 130
    exit_without_teardown(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tillsync", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    dev = commands.add_parser("dev", help="run the embedded stack and replay the demo store day")
    dev.add_argument("--keep", action="store_true", help="keep the stack up until Ctrl-C")
    dev.add_argument("--examples", type=Path, default=Path("examples"))
    dev.add_argument("--fresh", action="store_true", help="forget earlier runs and ERP books")
    dev.set_defaults(handler=_dev)

    submit = commands.add_parser("submit", help="start one workflow per transaction")
    submit.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    submit.add_argument("--wait", action="store_true", help="wait until each run settles")
    submit.add_argument("--json", action="store_true", help="one JSON object per transaction")
    submit.set_defaults(handler=_submit)

    mappings = commands.add_parser("mappings", help="POS -> ERP code mappings")
    mapping_commands = mappings.add_subparsers(required=True, metavar="ACTION")
    mapping_import = mapping_commands.add_parser("import", help="load a mappings CSV")
    mapping_import.add_argument("file", type=Path)
    mapping_import.set_defaults(handler=_mappings_import)

    runs = commands.add_parser("runs", help="list transaction runs")
    runs.add_argument("--stage")
    runs.add_argument("--store")
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(handler=_runs)

    retry = commands.add_parser("retry", help="retry a parked run (after fixing its cause)")
    target = retry.add_mutually_exclusive_group(required=True)
    target.add_argument("workflow_id", nargs="?")
    target.add_argument("--all-parked", action="store_true")
    retry.add_argument("--note", default="")
    retry.add_argument(
        "--amended",
        type=Path,
        metavar="FILE",
        help="a corrected ticket (same store, terminal and transaction id) to book instead",
    )
    retry.set_defaults(handler=_retry)

    abandon = commands.add_parser("abandon", help="give up a parked run")
    abandon.add_argument("workflow_id")
    abandon.add_argument("--reason", required=True)
    abandon.set_defaults(handler=_abandon)

    erp = commands.add_parser("erp", help="the ERP connection")
    erp_commands = erp.add_subparsers(required=True, metavar="ACTION")
    erp_info = erp_commands.add_parser("info", help="URL, database and API key of the ERP")
    erp_info.add_argument("--json", action="store_true")
    erp_info.set_defaults(handler=_erp_info)

    db = commands.add_parser("db", help="the store's schema (alembic migrations)")
    db_commands = db.add_subparsers(required=True, metavar="ACTION")
    db_upgrade = db_commands.add_parser("upgrade", help="migrate the store to the head revision")
    db_upgrade.set_defaults(handler=_db_upgrade)
    db_revision = db_commands.add_parser(
        "revision", help="write the next migration from the models (developers)"
    )
    db_revision.add_argument("message", help='what it changes, e.g. "add the refunds table"')
    db_revision.set_defaults(handler=_db_revision)

    schema = commands.add_parser("schema", help="JSON Schema of the canonical transaction")
    schema.set_defaults(handler=_schema)

    add_intake_commands(commands)
    add_finance_commands(commands)
    return parser


async def _dev(args: argparse.Namespace, settings: Settings) -> int:
    from starter.dev_stack import run_dev

    return await run_dev(settings, examples=args.examples, keep=args.keep, fresh=args.fresh)


async def _submit(args: argparse.Namespace, settings: Settings) -> int:
    from starter.loading import load_files, write_rejects
    from starter.submission import Submitter, rejected_results
    from store.db import create_store_engine
    from worker import connect

    loaded = load_files(args.paths)
    rejected = write_rejects(settings.rejects_file, loaded)
    for result in rejected_results(loaded):
        _print_result(result, as_json=args.json)
    transactions: list[PosTransaction] = [txn for item in loaded for txn in item.transactions]
    submitter = Submitter(
        await connect(settings),
        create_store_engine(settings.resolved_store_url),
        settings.task_queue,
    )
    for result in await submitter.submit_all(transactions, wait=args.wait):
        _print_result(result, as_json=args.json)
    if rejected and not args.json:
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


async def _mappings_import(args: argparse.Namespace, settings: Settings) -> int:
    from starter.mappings_csv import MappingFileError, read_mappings
    from store.db import create_store_engine, session_scope
    from store.mappings import import_mappings

    try:
        rows = read_mappings(args.file)
    except MappingFileError as error:
        print(error, file=sys.stderr)
        return 2
    with session_scope(create_store_engine(settings.resolved_store_url)) as session:
        added, updated = import_mappings(session, rows)
    print(f"{added} mappings added, {updated} updated from {args.file}")
    return 0


async def _runs(args: argparse.Namespace, settings: Settings) -> int:
    from starter.operations import list_runs
    from worker import connect

    client = await connect(settings)
    async for run in list_runs(client, stage=args.stage, store_id=args.store):
        if args.json:
            print(run.model_dump_json())
        else:
            print(
                f"{run.workflow_id:<48} {run.stage or '-':<12} {run.exception_kind or '':<18}"
                f" {run.status}"
            )
    return 0


async def _retry(args: argparse.Namespace, settings: Settings) -> int:
    from starter.operations import parked_run_ids, retry_run
    from worker import connect

    amended: PosTransaction | None = None
    if args.amended is not None:
        if args.all_parked:
            print("--amended goes with one run, not --all-parked", file=sys.stderr)
            return 2
        loaded = _amended_ticket(args.amended)
        if isinstance(loaded, str):
            print(loaded, file=sys.stderr)
            return 2
        amended = loaded
    client = await connect(settings)
    targets = await parked_run_ids(client) if args.all_parked else [args.workflow_id]
    if not targets:
        print("no parked runs")
    refused = 0
    for workflow_id in targets:
        reply = await retry_run(client, workflow_id, args.note, amended)
        print(f"{workflow_id}: {reply.message}")
        refused += not reply.accepted
    return 1 if refused else 0


def _amended_ticket(path: Path) -> PosTransaction | str:
    """The one valid ticket in ``path``, or what is wrong with the file."""
    from starter.loading import load_files

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


async def _abandon(args: argparse.Namespace, settings: Settings) -> int:
    from starter.operations import abandon_run
    from worker import connect

    reply = await abandon_run(await connect(settings), args.workflow_id, args.reason)
    print(f"{args.workflow_id}: {reply.message}")
    return 0 if reply.accepted else 1


async def _erp_info(args: argparse.Namespace, settings: Settings) -> int:
    from connectors.erp.factory import sandbox_info_path

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
        print("no ERP configured and no sandbox running (`tillsync dev --keep`)", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(info))
    else:
        for key, value in info.items():
            print(f"{key}: {value}")
    return 0


async def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from store.db import store_engine
    from store.schema import describe_upgrade, upgrade_store

    engine = store_engine(settings.resolved_store_url)
    print(describe_upgrade(engine, upgrade_store(engine)))
    return 0


async def _db_revision(args: argparse.Namespace, settings: Settings) -> int:
    from store.schema import new_revision

    written = new_revision(args.message)
    print(f"wrote {written}" if written else "the models match the head revision: nothing to write")
    return 0


async def _schema(args: argparse.Namespace, settings: Settings) -> int:
    print(json.dumps(PosTransaction.model_json_schema(), indent=2))
    return 0


if __name__ == "__main__":
    main()
