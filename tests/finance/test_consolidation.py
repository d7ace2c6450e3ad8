"""Summing a day's tickets into one consolidated posting."""

from decimal import Decimal

from domain.breakdown import DiscountFigure, OrderBooking, RevenueFigure, TaxFigure, TicketBreakdown
from domain.consolidation import ConsolidationTicket, consolidate


def _ticket(
    name: str, gross: str, tax: str, net_lines: str, tenders: dict[str, str]
) -> ConsolidationTicket:
    return ConsolidationTicket(
        workflow_id=name,
        gross=Decimal(gross),
        tax=Decimal(tax),
        net=Decimal(gross) - Decimal(tax),
        breakdown=TicketBreakdown(
            tax_by_rate={"20%": Decimal(tax)},
            tenders={kind: Decimal(value) for kind, value in tenders.items()},
            booking=OrderBooking(
                revenue=[
                    RevenueFigure(product_code="TEA", tax_codes=["VAT20"], net=Decimal(net_lines))
                ],
                discounts=[
                    DiscountFigure(kind="promotion", tax_codes=["VAT20"], net=Decimal("-0.83"))
                ],
                taxes=[
                    TaxFigure(
                        erp_tax_code="VAT20",
                        rate=Decimal("0.20"),
                        base=Decimal(net_lines) - Decimal("0.83"),
                        amount=Decimal(tax),
                    )
                ],
            ),
        ),
    )


def test_tickets_sum_by_key_and_the_rounding_pennies_are_kept() -> None:
    first = _ticket("a", "10.00", "1.67", "9.17", {"card": "10.00"})
    second = _ticket("b", "5.00", "0.83", "5.00", {})

    totals = consolidate([first, second])

    assert (totals.ticket_count, totals.gross, totals.tax, totals.net) == (
        2,
        Decimal("15.00"),
        Decimal("2.50"),
        Decimal("12.50"),
    )
    assert totals.tenders == {"card": Decimal("10.00")}
    assert totals.unpaid == Decimal("5.00"), "a ticket without tenders is not paid"
    assert totals.revenue == [
        RevenueFigure(product_code="TEA", tax_codes=["VAT20"], net=Decimal("14.17"))
    ]
    assert totals.discounts == [
        DiscountFigure(kind="promotion", tax_codes=["VAT20"], net=Decimal("-1.66"))
    ]
    assert totals.taxes[0].base == Decimal("12.51") and totals.taxes[0].amount == Decimal("2.50")
    # nets 12.50 = revenue 14.17 - discounts 1.66 + rounding
    assert totals.rounding == Decimal("-0.01")
