"""The ``tillsync`` commands through which tills' transactions come in: ``ingest`` (the HTTP
service), ``replay`` (an offline till's backlog, with a rich progress bar) and ``catalog load``
(the sandbox catalog a POS file needs)."""

import asyncio
import signal
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from domain.settings import Settings
from starter.cli.console import fail, finish, stderr_console
from starter.intake.formats import SourceFormat

catalog_app = typer.Typer(help="the ERP catalog a POS file needs", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command(help="serve the POS ingest (HTTP) until Ctrl-C")(ingest)
    app.command(help="submit an offline till's backlog in till order, each transaction once")(
        replay
    )
    app.add_typer(catalog_app, name="catalog")


def ingest(
    host: Annotated[str | None, typer.Option(help="default: TILLSYNC_INGEST_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: TILLSYNC_INGEST_PORT")] = None,
) -> None:
    finish(_ingest(Settings(), host, port))


async def _ingest(settings: Settings, host: str | None, port: int | None) -> int:
    from connectors.temporal.client import connect
    from starter.ingest.server import serve_ingest
    from worker import configure_logging

    configure_logging()
    settings = settings.model_copy(
        update={
            "ingest_host": host or settings.ingest_host,
            "ingest_port": port or settings.ingest_port,
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


def replay(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...", help="files or folders")],
    source_format: Annotated[
        SourceFormat | None,
        typer.Option("--format", help="default: poslog for .xml files, json otherwise"),
    ] = None,
    concurrency: Annotated[int, typer.Option(help="starts in flight at once")] = 16,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="no progress bar")] = False,
) -> None:
    finish(_replay(Settings(), paths, source_format, concurrency, show_progress=not no_progress))


async def _replay(
    settings: Settings,
    paths: list[Path],
    source_format: SourceFormat | None,
    concurrency: int,
    *,
    show_progress: bool,
) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from connectors.temporal.client import connect
    from starter.intake.replay import ReplayCounts, ReplayInterrupted, replay
    from starter.intake.ticket_intake import Intake
    from store.db import create_store_engine

    intake = Intake(
        await connect(settings),
        create_store_engine(settings.resolved_store_url),
        settings.task_queue,
    )
    console = stderr_console()
    with Progress(
        TextColumn("replay"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        console=console,
        disable=not (show_progress and console.is_terminal),
    ) as progress:
        task = progress.add_task("replay", total=None, counts="")

        def show(counts: ReplayCounts) -> None:
            progress.update(
                task,
                total=counts.total,
                completed=counts.handled,
                counts=f"started {counts.started}, duplicates {counts.duplicates},"
                f" rejects {counts.rejected}",
            )

        try:
            summary = await replay(
                intake,
                paths,
                source_format=source_format,
                data_dir=settings.data_dir,
                rejects_file=settings.rejects_file,
                concurrency=concurrency,
                progress=show,
            )
        except ReplayInterrupted as error:
            return fail(str(error), 75)
    print(summary.render())
    return 1 if summary.counts.rejected else 0


@catalog_app.command("load", help="load products, stock, taxes and their mappings into the ERP")
def catalog_load(
    warehouse: Annotated[str, typer.Option(help="ERP warehouse code, e.g. WH-NYC")],
    csv: Annotated[
        Path | None, typer.Option(help="code,name,unit,list_price,cost_price[,...]")
    ] = None,
    poslog: Annotated[Path | None, typer.Option(help="the items a POSLog file sold")] = None,
    store: Annotated[str | None, typer.Option(help="map this store to the warehouse")] = None,
    quantity: Annotated[Decimal, typer.Option(parser=Decimal, help="stock counted")] = Decimal(
        1000
    ),
    counted_on: Annotated[
        date | None,
        typer.Option(parser=date.fromisoformat, metavar="YYYY-MM-DD", help="date of the count"),
    ] = None,
    tax_like: Annotated[str, typer.Option(help="new taxes take this tax's accounts")] = "US-NY",
) -> None:
    if (csv is None) == (poslog is None):
        raise typer.BadParameter("give one of --csv and --poslog")
    finish(_catalog_load(Settings(), csv, poslog, warehouse, store, quantity, counted_on, tax_like))


async def _catalog_load(
    settings: Settings,
    csv: Path | None,
    poslog: Path | None,
    warehouse: str,
    store: str | None,
    quantity: Decimal,
    counted_on: date | None,
    tax_like: str,
) -> int:
    from connectors.erp.factory import erp_address
    from connectors.erp.tryton.rest import TrytonRest
    from connectors.erp.tryton_sandbox.catalog import CatalogPlan
    from connectors.pos.poslog import parse_poslog
    from starter.intake.catalog import (
        CatalogFileError,
        load_catalog,
        plan_from_transactions,
        read_catalog_csv,
    )
    from store.db import create_store_engine

    if poslog is not None:
        transactions = parse_poslog(poslog).transactions
        if not transactions:
            return fail(f"{poslog}: no retail transaction to take items from", 2)
        plan = plan_from_transactions(
            transactions,
            warehouse_code=warehouse,
            store_id=store,
            quantity=quantity,
            counted_on=counted_on,
            tax_like=tax_like,
        )
    elif csv is not None:
        try:
            items = read_catalog_csv(csv)
        except CatalogFileError as error:
            return fail(str(error), 2)
        plan = CatalogPlan(
            items=items,
            warehouse_code=warehouse,
            store_id=store,
            quantity=quantity,
            counted_on=counted_on or datetime.now(UTC).date(),
        )
    else:
        return fail("give one of --csv and --poslog", 2)
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
