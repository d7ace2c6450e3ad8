"""What a journaled ticket says about the people and products behind it (anomaly flags, KPIs)."""

from datetime import datetime

from pydantic import BaseModel, Field

from domain.erp_order import ErpOrder
from domain.sync_health import as_utc
from domain.transaction import DiscountKind, PosTransaction


class TicketFactsRecord(BaseModel):
    cashier_id: str | None
    occurred_at: datetime
    refund_lines: int
    manual_overrides: int
    unreferenced_return_lines: int
    products: list[str] = Field(description="ERP product codes sold, sorted, once each")


def ticket_facts(txn: PosTransaction, order: ErpOrder | None) -> TicketFactsRecord:
    """The facts of ``txn``; its products are those of the ERP ``order`` (none before one)."""
    overrides = sum(
        1 for line in txn.lines for d in line.discounts if d.kind is DiscountKind.MANUAL_OVERRIDE
    ) + sum(1 for d in txn.discounts if d.kind is DiscountKind.MANUAL_OVERRIDE)
    sold = (
        {line.product_code for line in order.product_lines if line.quantity > 0} if order else set()
    )
    return TicketFactsRecord(
        cashier_id=txn.cashier_id or _override_cashier(txn),
        occurred_at=as_utc(txn.occurred_at),
        refund_lines=sum(1 for line in txn.lines if line.is_return),
        manual_overrides=overrides,
        unreferenced_return_lines=sum(
            1 for line in txn.lines if line.is_return and line.return_of is None
        ),
        products=sorted(sold),
    )


def _override_cashier(txn: PosTransaction) -> str | None:
    """A ticket without a cashier: the one who overrode a price on it, if any."""
    discounts = [*txn.discounts, *(d for line in txn.lines for d in line.discounts)]
    return next((d.cashier_id for d in discounts if d.cashier_id), None)
