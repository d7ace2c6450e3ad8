"""``tillsync stock-snapshot`` and ``tillsync stock-ledger``: a store's stock explained per
product over business days (domain/stock_ledger.py).

A day's opening is a snapshot of the ERP's stock, taken by ``stock-snapshot`` when the day
opens (a schedule or the store's opening routine runs it). ``stock-ledger`` sets the opening
of ``--from`` plus what tillsync booked since against the ERP's stock: the snapshot opening the
day after ``--to`` when there is one, else the ERP now. A snapshot holds what was booked before
it was read, whatever the business date, so the movements counted are those booked after the
opening was read and before the closing was (an offline till's ticket of an earlier day booked
since counts; today's ticket booked before the opening does not); movements journaled before
booking times were kept fall back to their business date, from ``--from`` through ``--to``.
"""

import json
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated

import typer
from pydantic import BaseModel, Field

from domain.erp_order import StockLevel
from domain.settings import Settings
from domain.stock_ledger import StockLedgerLine
from starter.cli.console import fail, finish, stdout_console, table
from starter.reports.stock_ledger_report import (
    CSV_HEADER,
    erp_stock,
    render_csv,
    stock_ledger,
    table_rows,
    verdict,
)


def register(app: typer.Typer) -> None:
    app.command("stock-snapshot", help="record the ERP's stock as a business day's opening")(
        stock_snapshot
    )
    app.command("stock-ledger", help="a store's stock explained per product over days")(
        stock_ledger_command
    )


Day = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")]
Store = Annotated[str, typer.Option("--store", help="the store (its ERP warehouse)")]
Skus = Annotated[
    list[str] | None,
    typer.Option("--sku", help="an ERP item code (the till's SKU), repeatable; default: all"),
]


def _day(value: str | None, option: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from error


def stock_snapshot(
    store: Store,
    day: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD", help="default: today")] = None,
    sku: Skus = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    opens = _day(day, "--day") or datetime.now(UTC).date()
    finish(take_snapshot(Settings(), store, opens, sku or [], as_json=as_json))


def stock_ledger_command(
    store: Store,
    since: Annotated[
        str | None,
        typer.Option("--from", metavar="YYYY-MM-DD", help="first business day (default: today)"),
    ] = None,
    through: Annotated[
        str | None,
        typer.Option("--to", metavar="YYYY-MM-DD", help="last business day (default: now)"),
    ] = None,
    sku: Skus = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row")] = False,
) -> None:
    first = _day(since, "--from") or datetime.now(UTC).date()
    last = _day(through, "--to")
    if last is not None and last < first:
        raise typer.BadParameter(f"{last} is before --from {first}", param_hint="--to")
    output = "json" if as_json else "csv" if as_csv else "table"
    finish(show_ledger(Settings(), store, first, last, sku or [], output=output))


class StockLedgerReport(BaseModel):
    store_id: str
    warehouse_code: str
    since: date
    through: date | None
    erp_read: str = Field(description="when the ERP's side is from: 'now', or a snapshot's day")
    lines: list[StockLedgerLine]


class NoWarehouse(Exception):
    pass


def _warehouse(settings: Settings, store_id: str) -> str:
    from store.db import create_store_engine, session_scope
    from store.mappings import store_warehouse

    with session_scope(create_store_engine(settings.resolved_store_url)) as session:
        warehouse = store_warehouse(session, store_id)
    if warehouse is None:
        raise NoWarehouse(f"store {store_id} has no warehouse mapping")
    return warehouse


async def take_snapshot(
    settings: Settings, store_id: str, day: date, skus: list[str], *, as_json: bool
) -> int:
    """Record the ERP's stock of the store's items now as the opening of ``day`` (the items:
    ``skus``, else every item the ERP sells and every one the store's ledger has moved)."""
    from connectors.erp.factory import create_connector
    from store.db import create_store_engine, session_scope
    from store.stock_ledger import ledger_movements
    from store.stock_snapshots import save_snapshot

    try:
        warehouse = _warehouse(settings, store_id)
    except NoWarehouse as error:
        return fail(str(error), 2)
    engine = create_store_engine(settings.resolved_store_url)
    erp = create_connector(settings)
    try:
        codes = set(skus)
        if not codes:
            codes = {item.code for item in (await erp.master_data(None)).items}
            with session_scope(engine) as session:
                moved = ledger_movements(session, warehouses=[warehouse])
            codes |= {movement.product_code for movement in moved}
        levels = list((await erp_stock(erp, [(warehouse, code) for code in codes])).values())
    finally:
        await erp.aclose()
    with session_scope(engine) as session:
        saved = save_snapshot(session, day, levels, datetime.now(UTC))
    if as_json:
        print(
            json.dumps({"store": store_id, "warehouse": warehouse, "day": str(day), "items": saved})
        )
    else:
        print(f"{saved} items of {warehouse} recorded as the opening of {day}")
    return 0


async def ledger_report(
    settings: Settings, store_id: str, since: date, through: date | None, skus: list[str]
) -> StockLedgerReport:
    """The ledger from the snapshot opening ``since``; NoWarehouse, or LookupError when no
    snapshot opens that day."""
    from connectors.erp.factory import create_connector
    from store.db import create_store_engine, session_scope
    from store.stock_snapshots import snapshot, snapshot_taken

    warehouse = _warehouse(settings, store_id)
    engine = create_store_engine(settings.resolved_store_url)
    with session_scope(engine) as session:
        opening = snapshot(session, warehouse, since)
        opened_at = snapshot_taken(session, warehouse, since)
        closing: dict[tuple[str, str], StockLevel] | None = None
        closed_at: dict[tuple[str, str], datetime] | None = None
        if through is not None:
            closing = snapshot(session, warehouse, through + timedelta(days=1)) or None
            closed_at = snapshot_taken(session, warehouse, through + timedelta(days=1))
    if not opening:
        raise LookupError(
            f"no snapshot opens {since} at {warehouse}: take one when the day opens"
            f" (tillsync stock-snapshot --store {store_id} --day {since})"
        )
    if skus:
        wanted = set(skus)
        opening = {key: level for key, level in opening.items() if key[1] in wanted}
        for code in wanted:
            opening.setdefault((warehouse, code), _nothing(warehouse, code))
    erp = create_connector(settings)
    try:
        lines = await stock_ledger(
            engine,
            erp,
            {key: level.available for key, level in opening.items()},
            since=since,
            through=through if closing else None,
            closing=closing,
            opened_at=opened_at,
            closed_at=closed_at if closing else None,
        )
    finally:
        await erp.aclose()
    if skus:
        lines = [line for line in lines if line.product_code in set(skus)]
    return StockLedgerReport(
        store_id=store_id,
        warehouse_code=warehouse,
        since=since,
        through=through if closing else None,
        erp_read=str(through + timedelta(days=1)) if closing and through else "now",
        lines=lines,
    )


def _nothing(warehouse: str, code: str) -> StockLevel:
    zero = Decimal(0)
    return StockLevel(product_code=code, warehouse_code=warehouse, on_hand=zero, available=zero)


async def show_ledger(
    settings: Settings,
    store_id: str,
    since: date,
    through: date | None,
    skus: list[str],
    *,
    output: str,
) -> int:
    """Print the ledger; 1 when a line is not explained, 2 when it cannot be made."""
    try:
        report = await ledger_report(settings, store_id, since, through, skus)
    except (NoWarehouse, LookupError) as error:
        return fail(str(error), 2)
    if through is not None and report.through is None:
        print(
            f"no snapshot opens {through + timedelta(days=1)}: the ERP is read now, so the"
            " ledger runs through now",
            file=sys.stderr,
        )
    if output == "json":
        print(report.model_dump_json())
    elif output == "csv":
        print(render_csv(report.lines), end="")
    else:
        span = f"{since} to {report.through or 'now'}"
        title = f"Stock ledger of {store_id} ({report.warehouse_code}), {span}"
        console = stdout_console()
        console.print(table(title, CSV_HEADER, table_rows(report.lines)))
        console.print(verdict(report.lines))
    return 0 if all(line.explained for line in report.lines) else 1
