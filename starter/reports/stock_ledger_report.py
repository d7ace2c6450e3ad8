"""The stock ledger as inventory reads it: per warehouse and product, the opening, what sales,
returns, transfers, receipts and abandoned tickets moved, the closing, the ERP's stock beside
it (on-hand, reserved, available) and the difference (plain text and CSV); and the ERP's stock
it is read against."""

import asyncio
import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from connectors.erp.base import ErpConnector
from domain.erp_order import StockLevel
from domain.stock_ledger import (
    LedgerKey,
    LedgerMovement,
    MovementCause,
    StockLedgerLine,
    explain_stock,
    movements_in_span,
)
from domain.stock_moves import plain
from store.db import session_scope
from store.stock_ledger import booked_movements

CSV_HEADER = [
    "warehouse",
    "product",
    "opening",
    *(cause.value for cause in MovementCause),
    "closing",
    "erp_on_hand",
    "erp_reserved",
    "erp_available",
    "difference",
]


async def erp_stock(erp: ErpConnector, keys: Iterable[LedgerKey]) -> dict[LedgerKey, StockLevel]:
    """The ERP's stock of each (warehouse, product) now, one call per warehouse."""
    by_warehouse: defaultdict[str, set[str]] = defaultdict(set)
    for warehouse, product in keys:
        by_warehouse[warehouse].add(product)
    warehouses = sorted(by_warehouse)
    found = await asyncio.gather(
        *(erp.stock_levels(sorted(by_warehouse[wh]), wh) for wh in warehouses)
    )
    return {
        (level.warehouse_code, level.product_code): level for levels in found for level in levels
    }


async def available(erp: ErpConnector, keys: Iterable[LedgerKey]) -> dict[LedgerKey, Decimal]:
    """The ERP's available stock of each (warehouse, product) now: a ledger's opening."""
    return {key: level.available for key, level in (await erp_stock(erp, keys)).items()}


async def stock_ledger(
    engine: Engine,
    erp: ErpConnector,
    opening: Mapping[LedgerKey, Decimal],
    *,
    workflow_ids: Iterable[str] | None = None,
    since: date | None = None,
    closing: Mapping[LedgerKey, StockLevel] | None = None,
    through: date | None = None,
    opened_at: Mapping[LedgerKey, datetime] | None = None,
    closed_at: Mapping[LedgerKey, datetime] | None = None,
) -> list[StockLedgerLine]:
    """The ledger from an ``opening`` (the ERP's available then) to ``closing`` (the ERP's
    stock; None: read now) by what tillsync booked between (the runs ``workflow_ids``, or
    all of them): booked after the opening was read (``opened_at``) and before the closing
    was (``closed_at``), else dated from ``since`` through ``through`` (movements_in_span)."""
    with session_scope(engine) as session:
        booked = booked_movements(
            session,
            warehouses=sorted({warehouse for warehouse, _ in opening}),
            workflow_ids=workflow_ids,
            since=since,
            booked_after=min(opened_at.values()) if opened_at else None,
        )
    movements: list[LedgerMovement] = movements_in_span(
        booked, since=since, through=through, opened_at=opened_at, closed_at=closed_at
    )
    if closing is None:
        closing = await erp_stock(erp, opening.keys() | {movement.key for movement in movements})
    return explain_stock(opening, movements, closing)


def _row(line: StockLedgerLine) -> list[str]:
    return [
        line.warehouse_code,
        line.product_code,
        str(plain(line.opening)),
        *(str(plain(line.movements.get(cause, Decimal(0)))) for cause in MovementCause),
        str(plain(line.closing)),
        str(plain(line.erp_on_hand)),
        str(plain(line.erp_reserved)),
        str(plain(line.erp_available)),
        str(plain(line.difference)),
    ]


def table_rows(lines: Iterable[StockLedgerLine]) -> list[list[str]]:
    return [_row(line) for line in lines]


def verdict(lines: list[StockLedgerLine]) -> str:
    unexplained = [line for line in lines if not line.explained]
    if not unexplained:
        return "every line explained"
    return (
        f"{len(unexplained)} lines not explained by sales, returns, transfers, receipts and"
        " abandoned tickets"
    )


def render_text(lines: list[StockLedgerLine]) -> str:
    rows = [CSV_HEADER, *(_row(line) for line in lines)]
    widths = [max(len(row[index]) for row in rows) for index in range(len(CSV_HEADER))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    text.append(verdict(lines))
    return "\n".join(text)


def render_csv(lines: list[StockLedgerLine]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(_row(line) for line in lines)
    return buffer.getvalue()
