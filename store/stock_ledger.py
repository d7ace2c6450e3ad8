"""The stock ledger's rows: what each booked ticket and stock event moved."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, delete, insert, select

from domain.stock_ledger import LedgerMovement, MovementCause
from store.tables import StockLedgerRow


def replace_movements(
    session: Session,
    workflow_id: str,
    store_id: str,
    business_date: date,
    movements: Iterable[LedgerMovement],
) -> None:
    """The run's movements, once whatever the number of times it is journaled."""
    session.exec(delete(StockLedgerRow).where(col(StockLedgerRow.workflow_id) == workflow_id))
    rows = [
        {
            "workflow_id": workflow_id,
            "store_id": store_id,
            "business_date": business_date,
            "warehouse_code": movement.warehouse_code,
            "product_code": movement.product_code,
            "cause": movement.cause.value,
            "quantity": movement.quantity,
        }
        for movement in movements
    ]
    if rows:
        session.execute(insert(StockLedgerRow), rows)


def ledger_movements(
    session: Session,
    *,
    warehouses: Iterable[str] | None = None,
    workflow_ids: Iterable[str] | None = None,
    since: date | None = None,
    through: date | None = None,
) -> list[LedgerMovement]:
    """The movements (of these warehouses, runs, business dates from ``since`` to
    ``through``), in the order they were booked."""
    query = select(StockLedgerRow)
    if since is not None:
        query = query.where(StockLedgerRow.business_date >= since)
    if through is not None:
        query = query.where(StockLedgerRow.business_date <= through)
    if warehouses is not None:
        query = query.where(col(StockLedgerRow.warehouse_code).in_(list(warehouses)))
    if workflow_ids is not None:
        query = query.where(col(StockLedgerRow.workflow_id).in_(list(workflow_ids)))
    return [
        LedgerMovement(
            warehouse_code=row.warehouse_code,
            product_code=row.product_code,
            cause=MovementCause(row.cause),
            quantity=Decimal(row.quantity),
        )
        for row in session.exec(query.order_by(col(StockLedgerRow.id))).all()
    ]
