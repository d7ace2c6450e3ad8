"""The stock ledger sets each movement against its snapshots by when it was booked, on SQLite
and PostgreSQL: an offline till's ticket of the day before, booked after the opening snapshot,
counts; a ticket of the day, booked before it (so already in its figure), does not; nor does
one booked after the closing snapshot. Rows journaled before booking times were kept (and a
store upgraded from 0005) fall back to their business date."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from alembic import command
from sqlalchemy import Engine, create_engine, text

from connectors.erp.memory import MemoryErp
from domain.erp_order import StockLevel
from domain.stock_ledger import LedgerMovement, MovementCause, StockLedgerLine
from starter.reports.stock_ledger_report import stock_ledger
from store.db import create_store_engine, session_scope
from store.schema import migration_config
from store.stock_ledger import replace_movements
from store.stock_snapshots import save_snapshot, snapshot, snapshot_taken
from store.tables import StockLedgerRow

WAREHOUSE, TEA = "WH-LEDGER", "TEA-001"
DAY = date(2026, 11, 20)
OPENED = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
"""When the snapshot opening DAY was read from the ERP."""
CLOSED = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
"""When the snapshot opening the day after was read."""


def _level(available: int) -> StockLevel:
    quantity = Decimal(available)
    return StockLevel(
        product_code=TEA, warehouse_code=WAREHOUSE, on_hand=quantity, available=quantity
    )


def _sold(
    engine: Engine, run: str, business_date: date, quantity: int, booked_at: datetime | None
) -> None:
    """A ticket's sale journaled at ``booked_at`` (None: as before booking times were kept)."""
    sale = LedgerMovement(
        warehouse_code=WAREHOUSE,
        product_code=TEA,
        cause=MovementCause.SALE,
        quantity=Decimal(-quantity),
    )
    with session_scope(engine) as session:
        if booked_at is not None:
            replace_movements(session, run, "S001", business_date, [sale], booked_at)
            return
        session.add(
            StockLedgerRow(
                workflow_id=run,
                store_id="S001",
                business_date=business_date,
                warehouse_code=WAREHOUSE,
                product_code=TEA,
                cause=sale.cause.value,
                quantity=sale.quantity,
            )
        )


async def _ledger_from_day(
    engine: Engine, erp: MemoryErp, *, closed_by_snapshot: bool
) -> StockLedgerLine:
    """The ledger of DAY as the stock-ledger command makes it: from the snapshot opening DAY
    to the one opening the day after (or the ERP now)."""
    after = DAY + timedelta(days=1)
    with session_scope(engine) as session:
        opening = snapshot(session, WAREHOUSE, DAY)
        opened_at = snapshot_taken(session, WAREHOUSE, DAY)
        closing = snapshot(session, WAREHOUSE, after) if closed_by_snapshot else None
        closed_at = snapshot_taken(session, WAREHOUSE, after) if closed_by_snapshot else None
    [line] = await stock_ledger(
        engine,
        erp,
        {key: level.available for key, level in opening.items()},
        since=DAY,
        through=DAY if closed_by_snapshot else None,
        closing=closing,
        opened_at=opened_at,
        closed_at=closed_at,
    )
    return line


def _erp_now(available: int) -> MemoryErp:
    return MemoryErp(
        warehouses={WAREHOUSE}, products={TEA}, stock={(WAREHOUSE, TEA): Decimal(available)}
    )


async def test_movements_are_set_against_the_snapshots_by_when_they_were_booked(
    store_engine: Engine,
) -> None:
    _sold(store_engine, "pos:S001:T1:before-opening", DAY, 2, OPENED - timedelta(minutes=30))
    with session_scope(store_engine) as session:
        save_snapshot(session, DAY, [_level(100)], OPENED)  # the 2 above already left
    offline_at, next_day_at = OPENED + timedelta(hours=2), CLOSED - timedelta(hours=1)
    _sold(store_engine, "pos:S001:T9:offline", DAY - timedelta(days=1), 3, offline_at)
    _sold(store_engine, "pos:S001:T1:next-day", DAY + timedelta(days=1), 1, next_day_at)
    with session_scope(store_engine) as session:
        save_snapshot(session, DAY + timedelta(days=1), [_level(96)], CLOSED)
    _sold(store_engine, "pos:S001:T2:after-closing", DAY, 4, CLOSED + timedelta(minutes=5))

    closed = await _ledger_from_day(store_engine, _erp_now(92), closed_by_snapshot=True)
    now = await _ledger_from_day(store_engine, _erp_now(92), closed_by_snapshot=False)

    assert closed.opening == Decimal(100)
    assert closed.movements == {MovementCause.SALE: Decimal(-4)}, "offline 3 and next day's 1"
    assert (closed.closing, closed.erp_available, closed.explained) == (
        Decimal(96),
        Decimal(96),
        True,
    )
    assert now.movements == {MovementCause.SALE: Decimal(-8)}, "and the one after the closing"
    assert (now.closing, now.erp_available, now.explained) == (Decimal(92), Decimal(92), True)


async def test_rows_journaled_before_booking_times_were_kept_count_by_business_date(
    store_engine: Engine,
) -> None:
    with session_scope(store_engine) as session:
        save_snapshot(session, DAY, [_level(50)], OPENED)
    _sold(store_engine, "pos:S001:T1:old-of-the-day", DAY, 5, None)
    _sold(store_engine, "pos:S001:T1:old-of-the-day-before", DAY - timedelta(days=1), 7, None)
    _sold(store_engine, "pos:S001:T1:new", DAY - timedelta(days=1), 1, OPENED + timedelta(hours=2))

    line = await _ledger_from_day(store_engine, _erp_now(44), closed_by_snapshot=False)

    assert line.movements == {MovementCause.SALE: Decimal(-6)}, "5 by date, 1 by booking"
    assert (line.closing, line.explained) == (Decimal(44), True)


def _upgraded_to(url: str, revision: str) -> Engine:
    engine = create_engine(url)
    config = migration_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


async def test_a_ledger_row_of_a_store_at_0005_keeps_its_movement_dated_by_business_day(
    empty_database_url: str,
) -> None:
    old = _upgraded_to(empty_database_url, "0005")
    with old.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO stock_ledger (workflow_id, store_id, business_date, warehouse_code,"
                f" product_code, cause, quantity) VALUES ('pos:S001:T1:A', 'S001', '{DAY}',"
                f" '{WAREHOUSE}', '{TEA}', 'sale', -2)"
            )
        )
    old.dispose()
    engine = create_store_engine(empty_database_url)
    with session_scope(engine) as session:
        save_snapshot(session, DAY, [_level(10)], OPENED)

    line = await _ledger_from_day(engine, _erp_now(8), closed_by_snapshot=False)

    assert line.movements == {MovementCause.SALE: Decimal(-2)}
    assert (line.closing, line.explained) == (Decimal(8), True)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT booked_at FROM stock_ledger")).scalar() is None
    engine.dispose()
