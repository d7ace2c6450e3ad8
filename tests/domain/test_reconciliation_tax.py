"""Reconciliation groups tax by the tax itself, not by a rate derived from rounded amounts: the
real POSLog day's tickets carry effective rates of 10.025 %, 10.027 %, ... 10.151 % of one
New York sales tax the ERP books at 10.1 %, and that is no difference."""

from datetime import date
from decimal import Decimal

from domain.breakdown import OrderBooking, TaxFigure, TicketBreakdown
from domain.periods import PostingMode
from domain.reconciliation import ErpPosting, Figures, PosTicket, reconcile_day

DAY = date(2017, 9, 30)
NY = "NY sales tax"
EFFECTIVE_RATES = ["10.025%", "10.027%", "10.151%"]


def _ticket(number: int, tax: str, rate: str) -> PosTicket:
    amount = Decimal(tax)
    return PosTicket(
        workflow_id=f"pos-9-34-{number}",
        transaction_id=str(number),
        store_id="9",
        terminal_id="34",
        receipt_number=number,
        business_date=DAY,
        currency="USD",
        posting_mode=PostingMode.PER_TRANSACTION,
        posting_date=DAY,
        figures=Figures(
            count=1,
            gross=10 + amount,
            net=Decimal(10),
            tax=amount,
            tax_by_rate={rate: amount},
            tax_by_code={NY: amount},
        ),
    )


def _invoice(ticket: PosTicket, tax_by_code: dict[str, Decimal] | None = None) -> ErpPosting:
    tax = ticket.figures.tax
    return ErpPosting(
        reference=f"INV-{ticket.transaction_id}",
        store_id="9",
        business_date=DAY,
        posting_date=DAY,
        workflow_ids=[ticket.workflow_id],
        figures=ticket.figures.model_copy(
            update={
                "tax_by_rate": {"10.1%": tax},
                "tax_by_code": {NY: tax} if tax_by_code is None else tax_by_code,
            }
        ),
    )


def _tickets() -> list[PosTicket]:
    return [
        _ticket(number, tax, rate)
        for number, (tax, rate) in enumerate(
            zip(["1.00", "1.01", "0.99"], EFFECTIVE_RATES, strict=True), 1
        )
    ]


def test_one_tax_at_many_effective_rates_is_no_difference() -> None:
    tickets = _tickets()

    day = reconcile_day("9", DAY, tickets, [_invoice(ticket) for ticket in tickets])

    assert day.differences == [] and not day.needs_attention
    assert "tax NY sales tax" in day.figure_names()
    assert not [name for name in day.figure_names() if name.endswith("%")]


def test_a_tax_booked_as_another_tax_is_a_difference_naming_its_ticket() -> None:
    tickets = _tickets()
    postings = [_invoice(ticket) for ticket in tickets[:2]]
    postings.append(_invoice(tickets[2], {NY: Decimal("0.49"), "NY city": Decimal("0.50")}))

    day = reconcile_day("9", DAY, tickets, postings)

    assert {(item.metric, tuple(item.behind)) for item in day.differences} == {
        ("tax NY sales tax", ("3",)),
        ("tax NY city", ("3",)),
    }


def test_an_erp_side_without_tax_per_tax_is_compared_on_its_tax_total() -> None:
    tickets = _tickets()
    postings = [_invoice(ticket, tax_by_code={}) for ticket in tickets]
    postings[1] = postings[1].model_copy(
        update={"figures": postings[1].figures.model_copy(update={"tax": Decimal("1.02")})}
    )

    day = reconcile_day("9", DAY, tickets, postings)

    assert [(item.metric, item.behind) for item in day.differences] == [("tax", ["2"])]
    assert "tax NY sales tax" not in day.figure_names()


def test_the_pos_side_reads_tax_per_tax_from_the_booking_the_journal_kept() -> None:
    booked = TicketBreakdown(
        tax_by_rate={"10.027%": Decimal("1.01")},
        booking=OrderBooking(
            taxes=[
                TaxFigure(
                    erp_tax_code=NY,
                    rate=Decimal("0.10027"),
                    base=Decimal("10.07"),
                    amount=Decimal("1.01"),
                )
            ]
        ),
    )

    assert booked.tax_by_code() == {NY: Decimal("1.01")}
    assert TicketBreakdown().tax_by_code() == {}
