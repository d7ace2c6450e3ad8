"""The ERP's own books, read straight from the sandbox Tryton's SQLite database (not through
tillsync's connector): live documents under each ticket's reference with the stock their done
moves brought in or out of their warehouse, stock on hand per warehouse and product, and the
posted consolidated takings."""

import sqlite3
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.chaos.invariant import ErpBooks, ErpDocument

_ATTEMPT = "~"
_TAKINGS = "POS daily takings "


def read_books(database: Path, warehouses: set[str]) -> ErpBooks:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=60)
    try:
        return _read(connection, warehouses)
    finally:
        connection.close()


def _read(db: sqlite3.Connection, warehouses: set[str]) -> ErpBooks:
    products = dict(db.execute("SELECT id, code FROM product_product"))
    inside = _warehouse_of_location(db, warehouses)
    moves: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    stock: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    sale_of_line = dict(db.execute("SELECT id, sale FROM sale_line"))
    for product, quantity, source, target, shipment, origin in db.execute(
        "SELECT product, quantity, from_location, to_location, shipment, origin"
        " FROM stock_move WHERE state = 'done'"
    ):
        code = products[product]
        change = _decimal(quantity)
        into, out_of = inside.get(target), inside.get(source)
        if into == out_of:
            continue
        document = _document_of(shipment, origin, sale_of_line)
        for warehouse, sign in ((into, 1), (out_of, -1)):
            if warehouse is not None:
                stock[(warehouse, code)] += sign * change
                if document:
                    moves[document][code] += sign * change
    documents: dict[str, list[ErpDocument]] = defaultdict(list)
    for sale_id, reference, state in db.execute(
        "SELECT id, reference, state FROM sale_sale WHERE state != 'cancelled'"
        " AND reference IS NOT NULL"
    ):
        key = f"sale.sale,{sale_id}"
        documents[reference.split(_ATTEMPT, 1)[0]].append(
            ErpDocument(reference, "sale.sale", state, _nonzero(moves.get(key, {})))
        )
    for shipment_id, reference, state in db.execute(
        "SELECT s.id, s.reference, s.state FROM stock_shipment_out s"
        " WHERE s.state != 'cancelled' AND s.reference IS NOT NULL AND NOT EXISTS ("
        "  SELECT 1 FROM stock_move m WHERE m.shipment = 'stock.shipment.out,' || s.id"
        "  AND m.origin LIKE 'sale.line,%')"
    ):
        key = f"stock.shipment.out,{shipment_id}"
        documents[reference.split(_ATTEMPT, 1)[0]].append(
            ErpDocument(reference, "stock.shipment.out", state, _nonzero(moves.get(key, {})))
        )
    return ErpBooks(documents=dict(documents), stock=dict(stock), takings=_takings(db))


def _document_of(shipment: str | None, origin: str | None, sale_of_line: dict[int, int]) -> str:
    """The document a move books for: its sale (by its sale line) or its own shipment."""
    if origin and origin.startswith("sale.line,"):
        return f"sale.sale,{sale_of_line[int(origin.split(',', 1)[1])]}"
    return shipment or ""


def _decimal(value: object) -> Decimal:
    """Tryton keeps numerics in SQLite as text (read back as bytes) or as numbers."""
    return Decimal(value.decode() if isinstance(value, bytes) else str(value))


def _nonzero(changes: dict[str, Decimal]) -> dict[str, Decimal]:
    return {code: quantity for code, quantity in changes.items() if quantity}


def _warehouse_of_location(db: sqlite3.Connection, warehouses: set[str]) -> dict[int, str]:
    """Each location inside one of ``warehouses`` (its subtree), by id."""
    found: dict[int, str] = {}
    for code, left, right in db.execute(
        'SELECT code, "left", "right" FROM stock_location WHERE type = \'warehouse\''
    ):
        if code not in warehouses:
            continue
        for (location_id,) in db.execute(
            'SELECT id FROM stock_location WHERE "left" >= ? AND "right" <= ?', (left, right)
        ):
            found[location_id] = code
    return found


def _takings(db: sqlite3.Connection) -> dict[tuple[str, date], Decimal]:
    """Gross per store-day of the posted consolidated entries: their tender and unpaid lines."""
    takings: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for description, line, debit, credit in db.execute(
        "SELECT m.description, l.description, l.debit, l.credit FROM account_move m"
        " JOIN account_move_line l ON l.move = m.id"
        " WHERE m.state = 'posted' AND m.description LIKE ?",
        (_TAKINGS + "%",),
    ):
        if not (line or "").startswith(("tender ", "unpaid")):
            continue
        store_id, day = description.removeprefix(_TAKINGS).split(" ")[:2]
        takings[(store_id, date.fromisoformat(day))] += _decimal(debit) - _decimal(credit)
    return dict(takings)
