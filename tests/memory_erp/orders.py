"""Orders and steps the memory ERP's unit tests book (test_memory_erp*.py)."""

from decimal import Decimal
from typing import Any

from connectors.erp.memory import MemoryErp
from domain.erp_order import ErpOrder, ErpOrderRefs, ErpPayment, ErpProductLine, ErpTax
from domain.money import round_money
from domain.transaction import TenderType
from tests.erp_orders import london_order
from tests.factories import BUSINESS_DATE

LONDON = "WH-LON"
PRODUCTS = {"TEA-001", "MUG-001", "BISC-001"}


def product_line(
    number: int,
    product: str,
    quantity: str,
    unit_price: str,
    *,
    pos_tax: str | None = None,
    rate: str = "0.20",
    **extra: Any,
) -> ErpProductLine:
    net = round_money(Decimal(quantity) * Decimal(unit_price), "GBP")
    tax = Decimal(pos_tax) if pos_tax is not None else round_money(Decimal(rate) * net, "GBP")
    return ErpProductLine(
        pos_line_number=number,
        product_code=product,
        description=product,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        net_amount=net,
        taxes=[ErpTax(erp_tax_code="VAT20", rate=Decimal(rate), pos_amount=tax)],
        **extra,
    )


def erp_order(reference: str, *lines: ErpProductLine, warehouse: str = LONDON) -> ErpOrder:
    """Paid in full by card."""
    unpaid = london_order(reference, lines, warehouse=warehouse)
    return london_order(
        reference,
        lines,
        warehouse=warehouse,
        payments=[ErpPayment(tender_type=TenderType.CARD, amount=unpaid.gross_total)],
        description=f"test order {reference}",
    )


def tea_sale(reference: str, quantity: str = "2") -> ErpOrder:
    return erp_order(reference, product_line(1, "TEA-001", quantity, "3.00"))


async def book(erp: MemoryErp, order: ErpOrder) -> ErpOrderRefs:
    await erp.reserve(order)
    await erp.post(order.reference, BUSINESS_DATE)
    await erp.pay(order.reference, order.payments)
    return await erp.commit(order.reference)


async def undo(erp: MemoryErp, reference: str) -> None:
    """The saga's compensations, newest first."""
    await erp.return_stock_if_present(reference)
    await erp.void_payments_if_present(reference)
    await erp.cancel_posting_if_present(reference)
    await erp.release_if_present(reference)
