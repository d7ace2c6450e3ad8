"""The memory ERP reads its tax back by the ERP tax, the key the POS side uses: two taxes at
the same rate stay two, on a posted invoice and on a daily consolidated posting."""

from decimal import Decimal

from connectors.erp.memory import MemoryErp
from domain.breakdown import TicketBreakdown, order_booking
from domain.consolidation import ConsolidationBatch, ConsolidationTicket, batch_key, consolidate
from domain.erp_order import ErpOrder, ErpTax
from tests.factories import BUSINESS_DATE
from tests.memory_erp.orders import LONDON, PRODUCTS, book, erp_order, product_line

CITY = "NYC-CITY-4.5"


def two_tax_sale(reference: str) -> ErpOrder:
    """Tea under VAT20, and a mug under VAT20 plus a city tax: both VAT amounts are at 20 %."""
    tea = product_line(1, "TEA-001", "2", "3.00")
    mug = product_line(2, "MUG-001", "1", "10.00")
    mug = mug.model_copy(
        update={
            "taxes": [
                *mug.taxes,
                ErpTax(erp_tax_code=CITY, rate=Decimal("0.045"), pos_amount=Decimal("0.45")),
            ]
        }
    )
    return erp_order(reference, tea, mug)


def new_erp() -> MemoryErp:
    return MemoryErp(
        warehouses={LONDON},
        products=PRODUCTS,
        stock={(LONDON, code): Decimal(10) for code in PRODUCTS},
    )


async def test_a_posted_invoice_shows_tax_by_the_erp_tax_the_pos_side_keys_by() -> None:
    erp = new_erp()
    order = two_tax_sale("pos:S001:T1:tax-1")
    await book(erp, order)

    [invoice] = await erp.posted_invoices(BUSINESS_DATE, BUSINESS_DATE)

    assert invoice.figures.tax_by_code == {"VAT20": Decimal("3.20"), CITY: Decimal("0.45")}
    assert (
        invoice.figures.tax_by_code == TicketBreakdown(booking=order_booking(order)).tax_by_code()
    )
    assert invoice.figures.itemised and invoice.figures.tax == Decimal("3.65")
    assert invoice.figures.tax_by_rate == {"20%": Decimal("3.20"), "4.5%": Decimal("0.45")}


async def test_a_consolidated_posting_shows_tax_by_the_erp_tax() -> None:
    erp = new_erp()
    order = two_tax_sale("pos:S001:T1:tax-2")
    await erp.reserve(order)
    await erp.commit(order.reference)
    ticket = ConsolidationTicket(
        workflow_id=order.reference,
        net=order.net_total,
        tax=order.tax_total,
        gross=order.gross_total,
        breakdown=TicketBreakdown(
            tenders={"card": order.gross_total}, booking=order_booking(order)
        ),
    )
    batch = ConsolidationBatch(
        key=batch_key("S001", BUSINESS_DATE, 1),
        store_id="S001",
        business_date=BUSINESS_DATE,
        currency="GBP",
        stock_references=[order.reference],
        totals=consolidate([ticket]),
    )
    refs = await erp.post_consolidated(batch, BUSINESS_DATE)

    [move] = await erp.consolidated_moves([refs.move_id])

    assert move.figures.tax_by_code == {"VAT20": Decimal("3.20"), CITY: Decimal("0.45")}
    assert move.figures.tax_by_code == ticket.breakdown.tax_by_code()
    assert move.figures.tax == Decimal("3.65") and move.figures.itemised
