"""The ``tillsync`` commands through which tills' transactions come in: ``ingest`` (the HTTP
service), ``replay`` (an offline till's backlog) and ``catalog load`` (the sandbox catalog
a POS file needs)."""

import argparse
import asyncio
import signal
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.settings import Settings
from starter.formats import SourceFormat


def add_intake_commands(commands: "argparse._SubParsersAction[Any]") -> None:
    ingest = commands.add_parser("ingest", help="serve the POS ingest (HTTP) until Ctrl-C")
    ingest.add_argument("--host", help="default: TILLSYNC_INGEST_HOST")
    ingest.add_argument("--port", type=int, help="default: TILLSYNC_INGEST_PORT")
    ingest.set_defaults(handler=_ingest)

    replay = commands.add_parser(
        "replay", help="submit an offline till's backlog in till order, each transaction once"
    )
    replay.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    replay.add_argument(
        "--format",
        choices=[item.value for item in SourceFormat],
        help="default: poslog for .xml files, json otherwise",
    )
    replay.add_argument("--concurrency", type=int, default=16, help="starts in flight at once")
    replay.add_argument("--no-progress", action="store_true", help="no progress bar")
    replay.set_defaults(handler=_replay)

    catalog = commands.add_parser("catalog", help="the ERP catalog a POS file needs")
    catalog_commands = catalog.add_subparsers(required=True, metavar="ACTION")
    load = catalog_commands.add_parser(
        "load", help="load products, stock, taxes and their mappings into the ERP"
    )
    source = load.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", type=Path, help="code,name,unit,list_price,cost_price[,...]")
    source.add_argument("--poslog", type=Path, help="the items a POSLog file sold")
    load.add_argument("--warehouse", required=True, help="ERP warehouse code, e.g. WH-NYC")
    load.add_argument("--store", help="map this store to the warehouse")
    load.add_argument("--quantity", type=Decimal, default=Decimal(1000), help="stock counted")
    load.add_argument("--counted-on", type=date.fromisoformat, help="date of the stock count")
    load.add_argument("--tax-like", default="US-NY", help="new taxes take this tax's accounts")
    load.set_defaults(handler=_catalog_load)


async def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from starter.ingest.server import serve_ingest
    from worker import configure_logging, connect

    configure_logging()
    settings = settings.model_copy(
        update={
            "ingest_host": args.host or settings.ingest_host,
            "ingest_port": args.port or settings.ingest_port,
        }
    )
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    url = f"http://{settings.ingest_host}:{settings.ingest_port}"
    print(f"POS ingest on {url} (OpenAPI document: {url}/openapi.json, browse {url}/docs)")
    await serve_ingest(settings, client, stop)
    return 0


async def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from starter.intake import Intake
    from starter.replay import ReplayCounts, ReplayInterrupted, replay
    from store.db import create_store_engine
    from worker import connect

    intake = Intake(
        await connect(settings),
        create_store_engine(settings.resolved_store_url),
        settings.task_queue,
    )
    with tqdm(
        unit="txn", file=sys.stderr, disable=True if args.no_progress else None, leave=True
    ) as bar:

        def show(counts: ReplayCounts) -> None:
            bar.total = counts.total
            bar.n = counts.handled
            bar.set_postfix(
                started=counts.started,
                duplicates=counts.duplicates,
                rejects=counts.rejected,
                refresh=False,
            )
            bar.refresh()

        try:
            summary = await replay(
                intake,
                args.paths,
                source_format=SourceFormat(args.format) if args.format else None,
                data_dir=settings.data_dir,
                rejects_file=settings.rejects_file,
                concurrency=args.concurrency,
                progress=show,
            )
        except ReplayInterrupted as error:
            print(error, file=sys.stderr)
            return 75
    print(summary.render())
    return 1 if summary.counts.rejected else 0


async def _catalog_load(args: argparse.Namespace, settings: Settings) -> int:
    from connectors.erp.factory import erp_address
    from connectors.erp.tryton.rest import TrytonRest
    from connectors.pos.poslog import parse_poslog
    from starter.catalog import (
        CatalogFileError,
        CatalogPlan,
        load_catalog,
        plan_from_transactions,
        read_catalog_csv,
    )
    from store.db import create_store_engine

    if args.poslog:
        transactions = parse_poslog(args.poslog).transactions
        if not transactions:
            print(f"{args.poslog}: no retail transaction to take items from", file=sys.stderr)
            return 2
        plan = plan_from_transactions(
            transactions,
            warehouse_code=args.warehouse,
            store_id=args.store,
            quantity=args.quantity,
            counted_on=args.counted_on,
            tax_like=args.tax_like,
        )
    else:
        try:
            items = read_catalog_csv(args.csv)
        except CatalogFileError as error:
            print(error, file=sys.stderr)
            return 2
        plan = CatalogPlan(
            items=items,
            warehouse_code=args.warehouse,
            store_id=args.store,
            quantity=args.quantity,
            counted_on=args.counted_on or datetime.now(UTC).date(),
        )
    address = erp_address(settings)
    rest = TrytonRest(*address, timeout=settings.erp_timeout_seconds)
    try:
        report = await load_catalog(
            rest, address.company_id, create_store_engine(settings.resolved_store_url), plan
        )
    finally:
        await rest.aclose()
    print(report.render())
    return 0
