"""The stock ledger's rows: what each booked ticket and stock event moved."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Table, bindparam
from sqlmodel import Session, col, delete, insert, or_, select

from domain.stock_ledger import BookedMovement, LedgerMovement, MovementCause
from domain.sync_health import as_utc
from store.tables import StockLedgerRow

_LEDGER: Table = StockLedgerRow.__table__  # type: ignore[attr-defined]
_REPLACED = delete(_LEDGER).where(_LEDGER.c.workflow_id == bindparam("ledger_run"))
_ADDED = insert(_LEDGER)
"""The journal's statements, on the table (no ORM unit of work: a ticket's rows are written,
never read back), built once."""


def replace_movements(
    session: Session,
    workflow_id: str,
    store_id: str,
    business_date: date,
    movements: Iterable[LedgerMovement],
    booked_at: datetime,
) -> None:
    """The run's movements, once whatever the number of times it is journaled; ``booked_at``:
    now, as the run journals them right after its ERP step."""
    session.execute(_REPLACED, {"ledger_run": workflow_id})
    rows = [
        {
            "workflow_id": workflow_id,
            "store_id": store_id,
            "business_date": business_date,
            "warehouse_code": movement.warehouse_code,
            "product_code": movement.product_code,
            "cause": movement.cause.value,
            "quantity": movement.quantity,
            "booked_at": booked_at,
        }
        for movement in movements
    ]
    if rows:
        session.execute(_ADDED, rows)


def ledger_movements(
    session: Session,
    *,
    warehouses: Iterable[str] | None = None,
    workflow_ids: Iterable[str] | None = None,
) -> list[LedgerMovement]:
    """The movements (of these warehouses, runs), in the order they were booked; a span's are
    ``booked_movements`` picked by domain.stock_ledger.movements_in_span."""
    query = select(StockLedgerRow)
    if warehouses is not None:
        query = query.where(col(StockLedgerRow.warehouse_code).in_(list(warehouses)))
    if workflow_ids is not None:
        query = query.where(col(StockLedgerRow.workflow_id).in_(list(workflow_ids)))
    return [_movement(row) for row in session.exec(query.order_by(col(StockLedgerRow.id))).all()]


def booked_movements(
    session: Session,
    *,
    warehouses: Iterable[str],
    workflow_ids: Iterable[str] | None = None,
    since: date | None = None,
    booked_after: datetime | None = None,
) -> list[BookedMovement]:
    """The warehouses' movements (of these runs) with their business dates and booking times,
    in the order they were booked: at least every one dated from ``since`` or booked after
    ``booked_after`` (domain.stock_ledger.movements_in_span picks a span's)."""
    query = select(StockLedgerRow).where(col(StockLedgerRow.warehouse_code).in_(list(warehouses)))
    if workflow_ids is not None:
        query = query.where(col(StockLedgerRow.workflow_id).in_(list(workflow_ids)))
    if since is not None:
        dated = col(StockLedgerRow.business_date) >= since
        if booked_after is not None:
            query = query.where(or_(dated, col(StockLedgerRow.booked_at) > booked_after))
        else:
            query = query.where(dated)
    return [
        BookedMovement(
            movement=_movement(row),
            business_date=row.business_date,
            booked_at=as_utc(row.booked_at) if row.booked_at else None,
        )
        for row in session.exec(query.order_by(col(StockLedgerRow.id))).all()
    ]


def _movement(row: StockLedgerRow) -> LedgerMovement:
    return LedgerMovement(
        warehouse_code=row.warehouse_code,
        product_code=row.product_code,
        cause=MovementCause(row.cause),
        quantity=Decimal(row.quantity),
    )
