"""Comparing a store-day's tickets with the ERP's postings, and naming who is behind a gap."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from rich.console import Console

from domain.periods import PostingMode
from domain.reconciliation import (
    ErpPosting,
    Figures,
    PosTicket,
    ReconciliationReport,
    reconcile_day,
)
from starter.cli.console import PIPED_WIDTH
from starter.reports.reconcile_report import renderables

DAY = date(2026, 11, 20)


def _ticket(number: int, gross: str, mode: PostingMode, tenders: dict[str, str]) -> PosTicket:
    amount = Decimal(gross)
    return PosTicket(
        workflow_id=f"pos-S1-T1-TX{number}",
        transaction_id=f"TX{number}",
        store_id="S1",
        terminal_id="T1",
        receipt_number=number,
        business_date=DAY,
        currency="GBP",
        posting_mode=mode,
        posting_date=DAY,
        figures=Figures(
            count=1,
            gross=amount,
            net=amount - amount / 6,
            tax=amount / 6,
            tax_by_rate={"20%": amount / 6},
            tenders={kind: Decimal(value) for kind, value in tenders.items()},
        ),
    )


def _invoice(
    ticket: PosTicket, gross: str | None = None, tenders: dict[str, str] | None = None
) -> ErpPosting:
    figures = ticket.figures
    if gross is not None:
        figures = figures.model_copy(update={"gross": Decimal(gross)})
    if tenders is not None:
        paid = {kind: Decimal(value) for kind, value in tenders.items()}
        figures = figures.model_copy(update={"tenders": paid})
    return ErpPosting(
        reference=f"INV-{ticket.transaction_id}",
        store_id="S1",
        business_date=DAY,
        posting_date=DAY,
        workflow_ids=[ticket.workflow_id],
        figures=figures,
    )


def test_per_ticket_postings_name_the_ticket_behind_each_difference() -> None:
    tickets = [
        _ticket(number, "12.00", PostingMode.PER_TRANSACTION, {"card": "12.00"})
        for number in (1, 2, 3)
    ]
    postings = [_invoice(tickets[0]), _invoice(tickets[1], gross="11.00")]
    orphan = _invoice(_ticket(9, "5.00", PostingMode.PER_TRANSACTION, {}))

    day = reconcile_day("S1", DAY, tickets, [*postings, orphan])

    differences = {item.metric: item for item in day.differences}
    assert differences["gross"].behind == ["TX2", "TX3", "ERP INV-TX9"]
    assert (differences["gross"].pos, differences["gross"].erp) == (Decimal(36), Decimal(28))
    assert differences["tickets"].behind == ["TX3", "ERP INV-TX9"]
    assert differences["tender card"].behind == ["TX3"]


def test_a_ticket_paid_by_another_tender_in_the_erp_is_named_under_both_tenders() -> None:
    tickets = [
        _ticket(1, "12.00", PostingMode.PER_TRANSACTION, {"card": "12.00"}),
        _ticket(2, "8.00", PostingMode.PER_TRANSACTION, {"cash": "8.00"}),
    ]
    postings = [_invoice(tickets[0], tenders={"cash": "12.00"}), _invoice(tickets[1])]

    day = reconcile_day("S1", DAY, tickets, postings)

    differences = {item.metric: item for item in day.differences}
    assert set(differences) == {"tender card", "tender cash"}
    assert differences["tender card"].behind == differences["tender cash"].behind == ["TX1"]
    assert (differences["tender cash"].pos, differences["tender cash"].erp) == (
        Decimal(8),
        Decimal(20),
    )


def test_a_consolidated_posting_is_compared_as_one_unit_with_its_tenders() -> None:
    tickets = [
        _ticket(1, "6.00", PostingMode.DAILY, {"card": "6.00"}),
        _ticket(2, "4.00", PostingMode.DAILY, {"cash": "4.00"}),
        _ticket(3, "3.00", PostingMode.DAILY, {"cash": "3.00"}),
    ]
    booked = Figures(
        count=2,
        gross=Decimal("10.00"),
        net=tickets[0].figures.net + tickets[1].figures.net,
        tax=tickets[0].figures.tax + tickets[1].figures.tax,
        tax_by_rate={"20%": tickets[0].figures.tax + tickets[1].figures.tax},
        tenders={"card": Decimal("6.00"), "cash": Decimal("4.00")},
    )
    posting = ErpPosting(
        reference="MOVE-1",
        store_id="S1",
        business_date=DAY,
        posting_date=DAY,
        workflow_ids=[tickets[0].workflow_id, tickets[1].workflow_id],
        figures=booked,
    )

    day = reconcile_day("S1", DAY, tickets, [posting])

    differences = {item.metric: item for item in day.differences}
    assert set(differences) == {"tickets", "gross", "net", "tax", "tender cash"}
    assert differences["tender cash"].behind == ["TX3"]
    assert (differences["tender cash"].pos, differences["tender cash"].erp) == (
        Decimal(7),
        Decimal(4),
    )
    assert day.needs_attention


def test_the_terminal_report_shows_a_row_per_figure_and_who_is_behind_a_difference() -> None:
    tickets = [_ticket(number, "12.00", PostingMode.PER_TRANSACTION, {}) for number in (1, 2)]
    day = reconcile_day("S1", DAY, tickets, [_invoice(tickets[0]), _invoice(tickets[1], "11.00")])
    report = ReconciliationReport(
        start_date=DAY, end_date=DAY, generated_at=datetime.now(UTC), days=[day]
    )
    console = Console(record=True, width=PIPED_WIDTH, file=io.StringIO())

    console.print(*renderables(report), sep="\n")

    text = console.export_text().replace("│", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "S1 2026-11-20: needs attention" in lines
    assert "gross 24.00 23.00 1.00 TX2" in lines
    assert "tickets 2 2" in lines
