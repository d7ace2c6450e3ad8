"""The stock ledger's openings: the ERP's stock of a warehouse's products when a business day
opened, kept per warehouse, day and product (taken again: replaced)."""

from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session, select

from domain.erp_order import StockLevel
from domain.stock_ledger import LedgerKey
from domain.sync_health import as_utc
from store.ledger_tables import StockSnapshot


def save_snapshot(session: Session, day: date, levels: Iterable[StockLevel], now: datetime) -> int:
    """Keep ``levels`` as the opening of ``day``; returns how many products it holds."""
    saved = 0
    for level in levels:
        row = session.exec(
            select(StockSnapshot).where(
                StockSnapshot.warehouse_code == level.warehouse_code,
                StockSnapshot.business_date == day,
                StockSnapshot.product_code == level.product_code,
            )
        ).first() or StockSnapshot(
            warehouse_code=level.warehouse_code,
            business_date=day,
            product_code=level.product_code,
            on_hand=level.on_hand,
            available=level.available,
            taken_at=now,
        )
        row.on_hand, row.available, row.taken_at = level.on_hand, level.available, now
        session.add(row)
        saved += 1
    session.flush()
    return saved


def snapshot(session: Session, warehouse_code: str, day: date) -> dict[LedgerKey, StockLevel]:
    """The warehouse's opening of ``day`` (empty when none was taken)."""
    rows = session.exec(
        select(StockSnapshot).where(
            StockSnapshot.warehouse_code == warehouse_code, StockSnapshot.business_date == day
        )
    ).all()
    return {
        (row.warehouse_code, row.product_code): StockLevel(
            product_code=row.product_code,
            warehouse_code=row.warehouse_code,
            on_hand=row.on_hand,
            available=row.available,
        )
        for row in rows
    }


def snapshot_taken(session: Session, warehouse_code: str, day: date) -> dict[LedgerKey, datetime]:
    """When each product's figure of the warehouse's opening of ``day`` was read from the ERP
    (the ledger's movements booked after it are not in it)."""
    rows = session.exec(
        select(StockSnapshot).where(
            StockSnapshot.warehouse_code == warehouse_code, StockSnapshot.business_date == day
        )
    ).all()
    return {(row.warehouse_code, row.product_code): as_utc(row.taken_at) for row in rows}
