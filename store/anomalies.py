"""What the anomaly flags read from the store, counted in SQL over the ticket facts of a
span (one row per cashier, store or quiet product; never the tickets themselves), and the
stores' warehouses."""

from datetime import date

from sqlalchemy import Integer, case, func, true
from sqlalchemy import select as select_columns
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from domain.anomalies import CashierTally, ProductSales, QuietCriteria
from domain.mapping import MappingKind
from store.tables import Mapping, TicketFacts


def _in_span(start: date, end: date) -> ColumnElement[bool]:
    return col(TicketFacts.business_date).between(start, end)


def _tickets_with(column: Mapped[int]) -> ColumnElement[int]:
    return func.sum(case((column > 0, 1), else_=0), type_=Integer)


def cashier_tallies(session: Session, start: date, end: date) -> list[CashierTally]:
    """Per store and cashier: tickets, and those with a refund or a manual override."""
    cashier = col(TicketFacts.cashier_id)
    rows = session.execute(
        select_columns(
            col(TicketFacts.store_id),
            cashier,
            func.count(),
            _tickets_with(col(TicketFacts.refund_lines)),
            _tickets_with(col(TicketFacts.manual_overrides)),
        )
        .where(_in_span(start, end), cashier.is_not(None), cashier != "")
        .group_by(col(TicketFacts.store_id), cashier)
        .order_by(col(TicketFacts.store_id), cashier)
    ).all()
    return [CashierTally(*row) for row in rows]


def unreferenced_returns(session: Session, start: date, end: date) -> dict[str, int]:
    """Returned lines without a receipt, per store that took any."""
    lines = func.sum(col(TicketFacts.unreferenced_return_lines), type_=Integer)
    rows = session.execute(
        select_columns(col(TicketFacts.store_id), lines)
        .where(_in_span(start, end), col(TicketFacts.unreferenced_return_lines) > 0)
        .group_by(col(TicketFacts.store_id))
    ).all()
    return {store_id: int(count) for store_id, count in rows}


def quiet_product_sales(
    session: Session, start: date, end: date, quiet: QuietCriteria
) -> list[ProductSales]:
    """Products that went quiet at a store (``quiet``), with the days they sold on: the
    ticket facts' product lists unnested by the database (SQLite's json_each, PostgreSQL's
    json_array_elements_text) and counted per store and product."""
    if session.get_bind().dialect.name == "postgresql":
        unnested = func.json_array_elements_text(col(TicketFacts.products))
    else:
        unnested = func.json_each(col(TicketFacts.products))
    products = unnested.table_valued("value").alias("product")
    product = products.c.value
    sale_days = func.count(col(TicketFacts.business_date).distinct())
    last_sold = func.max(col(TicketFacts.business_date))
    rows = session.execute(
        select_columns(col(TicketFacts.store_id), product, sale_days, last_sold)
        .select_from(TicketFacts)
        .join(products, true())
        .where(_in_span(start, end))
        .group_by(col(TicketFacts.store_id), product)
        .having(sale_days >= quiet.min_sale_days, last_sold <= quiet.last_sold_by)
        .order_by(col(TicketFacts.store_id), product)
    ).all()
    return [
        ProductSales(store_id, str(code), int(days), _as_date(sold))
        for store_id, code, days, sold in rows
    ]


def _as_date(value: date | str) -> date:
    """SQLite's max() of a date column comes back as its ISO text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def store_warehouses(session: Session) -> dict[str, str]:
    """Each store's ERP warehouse, from its store-wide location mapping."""
    rows = session.exec(
        select(Mapping).where(Mapping.kind == MappingKind.LOCATION.value, Mapping.terminal_id == "")
    ).all()
    return {row.store_id: row.erp_code for row in rows if row.store_id}
