"""The stock ledger as inventory reads it: per warehouse and product, the opening on-hand, what
sales, returns, transfers and receipts moved, the expected on-hand, the ERP's, and the
difference (plain text and CSV); and the ERP's on-hand it is read against."""

import asyncio
import csv
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal

from sqlalchemy import Engine

from connectors.erp.base import ErpConnector
from domain.stock_ledger import (
    LedgerKey,
    LedgerMovement,
    MovementCause,
    StockLedgerLine,
    explain_stock,
)
from domain.stock_moves import plain
from store.db import session_scope
from store.stock_ledger import ledger_movements

CSV_HEADER = [
    "warehouse",
    "product",
    "opening",
    *(cause.value for cause in MovementCause),
    "expected",
    "erp_on_hand",
    "difference",
]


async def on_hand(erp: ErpConnector, keys: Iterable[LedgerKey]) -> dict[LedgerKey, Decimal]:
    """The ERP's on-hand of each (warehouse, product) now."""
    keys = sorted(set(keys))
    levels = await asyncio.gather(*(erp.stock_level(product, wh) for wh, product in keys))
    return {key: level.on_hand for key, level in zip(keys, levels, strict=True)}


async def stock_ledger(
    engine: Engine,
    erp: ErpConnector,
    opening: Mapping[LedgerKey, Decimal],
    *,
    workflow_ids: Iterable[str] | None = None,
) -> list[StockLedgerLine]:
    """The ledger from an ``opening`` snapshot (``on_hand`` taken before) to the ERP's on-hand
    now, by what tillsync booked since (the runs ``workflow_ids``, or all of them)."""
    with session_scope(engine) as session:
        movements: list[LedgerMovement] = ledger_movements(
            session,
            warehouses=sorted({warehouse for warehouse, _ in opening}),
            workflow_ids=workflow_ids,
        )
    closing = await on_hand(erp, opening.keys() | {movement.key for movement in movements})
    return explain_stock(opening, movements, closing)


def _row(line: StockLedgerLine) -> list[str]:
    return [
        line.warehouse_code,
        line.product_code,
        str(plain(line.opening)),
        *(str(plain(line.movements.get(cause, Decimal(0)))) for cause in MovementCause),
        str(plain(line.expected)),
        str(plain(line.erp_on_hand)),
        str(plain(line.difference)),
    ]


def render_text(lines: list[StockLedgerLine]) -> str:
    rows = [CSV_HEADER, *(_row(line) for line in lines)]
    widths = [max(len(row[index]) for row in rows) for index in range(len(CSV_HEADER))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    unexplained = [line for line in lines if not line.explained]
    text.append(
        "every line explained"
        if not unexplained
        else f"{len(unexplained)} lines not explained by sales, returns, transfers and receipts"
    )
    return "\n".join(text)


def render_csv(lines: list[StockLedgerLine]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(_row(line) for line in lines)
    return buffer.getvalue()
