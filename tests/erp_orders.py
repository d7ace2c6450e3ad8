"""ERP orders as the saga hands them to a connector, for the ERP tests: a sale at store S001's
London warehouse in GBP, its totals summed from its lines."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from domain.erp_order import ErpDiscountLine, ErpOrder, ErpPayment, ErpProductLine
from tests.factories import BUSINESS_DATE


def london_order(
    reference: str,
    product_lines: Sequence[ErpProductLine],
    *,
    discount_lines: Sequence[ErpDiscountLine] = (),
    payments: Sequence[ErpPayment] = (),
    warehouse: str = "WH-LON",
    sale_date: date = BUSINESS_DATE,
    description: str | None = None,
) -> ErpOrder:
    """``reference`` is also the transaction id; the description defaults to a POS sale's."""
    taxed: list[ErpProductLine | ErpDiscountLine] = [*product_lines, *discount_lines]
    net = sum((line.net_amount for line in taxed), Decimal(0))
    tax = sum((tax.pos_amount for line in taxed for tax in line.taxes), Decimal(0))
    return ErpOrder(
        reference=reference,
        transaction_id=reference,
        store_id="S001",
        terminal_id="T1",
        warehouse_code=warehouse,
        customer_code=None,
        sale_date=sale_date,
        currency="GBP",
        product_lines=list(product_lines),
        discount_lines=list(discount_lines),
        payments=list(payments),
        net_total=net,
        tax_total=tax,
        gross_total=net + tax,
        description=description or f"POS sale {reference}",
    )
