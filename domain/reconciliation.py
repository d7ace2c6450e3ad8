"""Reconciliation: the tills' figures against the ERP's postings, per store and business day.

The POS side is the journal: every ticket that posted, with its totals, tax by tax and
tenders by type. The ERP side is what the ERP holds posted for those tickets: one invoice per
ticket in per-transaction mode, one consolidated journal entry per store and day (and batch)
in daily mode. Each metric (tickets, gross, net, tax, tax per tax, tender per type) is
compared ticket by posting; a difference names the tickets behind it (those whose posting is
missing or disagrees, or the ERP posting that no ticket explains), and is listed even when
the day's totals happen to offset.

The ERP's tenders are, per ticket, the payments booked against its invoice on each tender
type's accounts; in daily mode, the consolidated entry's tender lines. Tax is compared by the
tax itself (``domain.figures``), never by a rate derived from rounded amounts.
"""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from domain.erp_ids import ErpId
from domain.figures import TICKETS as TICKETS
from domain.figures import Figures as Figures
from domain.figures import add_figures as add_figures
from domain.figures import is_tax_metric
from domain.ids import workflow_of_reference
from domain.money import Amount
from domain.periods import PostingMode
from domain.receipts import ReceiptGap


class PosTicket(BaseModel):
    """A posted ticket as the journal has it."""

    workflow_id: str
    transaction_id: str
    store_id: str
    terminal_id: str
    receipt_number: int
    business_date: date
    currency: str
    posting_mode: PostingMode
    posting_date: date | None
    figures: Figures


class ErpPosting(BaseModel):
    """A posting the ERP holds for a store and business day, and the tickets it books."""

    reference: str = Field(description="invoice number, or consolidated batch key")
    store_id: str
    business_date: date
    posting_date: date | None
    workflow_ids: list[str]
    figures: Figures


class ErpInvoiceFigures(BaseModel):
    """A posted invoice of a POS sale, as the ERP holds it."""

    sale_reference: str = Field(description="the saga's ERP reference: workflow id [~attempt]")
    business_date: date = Field(description="the sale's date: the ticket's business date")
    invoice_number: str | None
    posting_date: date | None
    figures: Figures

    @property
    def workflow_id(self) -> str:
        return workflow_of_reference(self.sale_reference)


class ErpMoveFigures(BaseModel):
    """A consolidated journal entry as the ERP holds it (its ticket count is not the ERP's)."""

    move_id: ErpId
    number: str | None
    posted: bool
    posting_date: date
    figures: Figures


class ExceptionNote(BaseModel):
    kind: str
    owner: str
    terminal_id: str | None
    transaction_id: str | None
    message: str


class Difference(BaseModel):
    metric: str
    pos: Amount
    erp: Amount
    behind: list[str] = Field(description="transaction ids, or ERP references no ticket explains")

    @property
    def difference(self) -> Decimal:
        return self.pos - self.erp


class RedatedTicket(BaseModel):
    transaction_id: str
    posting_date: date


class StoreDay(BaseModel):
    store_id: str
    business_date: date
    currency: str | None
    pos: Figures
    erp: Figures
    differences: list[Difference] = Field(default_factory=list)
    open_exceptions: list[ExceptionNote] = Field(default_factory=list)
    receipt_gaps: list[ReceiptGap] = Field(default_factory=list)
    redated: list[RedatedTicket] = Field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.differences or self.open_exceptions or self.receipt_gaps)

    def figure_names(self) -> list[str]:
        """The figures to show: tax per tax only where both sides break it down, and every
        figure that differs."""
        names = _metric_names(self.pos, self.erp)
        if not (self.pos.itemised and self.erp.itemised):
            names = [name for name in names if not is_tax_metric(name)]
        return names + [d.metric for d in self.differences if d.metric not in names]


class ReconciliationSummary(BaseModel):
    start_date: date
    end_date: date
    store_days: int
    store_days_needing_attention: int
    differences: int
    open_exceptions: int
    missing_receipts: int
    redated: int
    pos_gross: Amount
    erp_gross: Amount


class ReconciliationReport(BaseModel):
    start_date: date
    end_date: date
    store_id: str | None = None
    generated_at: datetime
    days: list[StoreDay]

    def summary(self) -> ReconciliationSummary:
        return ReconciliationSummary(
            start_date=self.start_date,
            end_date=self.end_date,
            store_days=len(self.days),
            store_days_needing_attention=sum(day.needs_attention for day in self.days),
            differences=sum(len(day.differences) for day in self.days),
            open_exceptions=sum(len(day.open_exceptions) for day in self.days),
            missing_receipts=sum(
                gap.missing_count for day in self.days for gap in day.receipt_gaps
            ),
            redated=sum(len(day.redated) for day in self.days),
            pos_gross=sum((day.pos.gross for day in self.days), Decimal(0)),
            erp_gross=sum((day.erp.gross for day in self.days), Decimal(0)),
        )


class _Group:
    """Tickets and the ERP postings that book them, compared as one unit."""

    def __init__(self) -> None:
        self.tickets: list[PosTicket] = []
        self.postings: list[ErpPosting] = []

    @property
    def behind(self) -> list[str]:
        if self.tickets:
            return [ticket.transaction_id for ticket in self.tickets]
        return [f"ERP {posting.reference}" for posting in self.postings]

    def sides(self) -> tuple[Figures, Figures]:
        return (
            add_figures(ticket.figures for ticket in self.tickets),
            add_figures(posting.figures for posting in self.postings),
        )

    def compares(self, metric: str) -> bool:
        """Tax per tax is compared where both sides break their tax down by tax."""
        pos, erp = self.sides()
        return not is_tax_metric(metric) or (pos.itemised and erp.itemised)

    def values(self, metric: str) -> tuple[Decimal, Decimal]:
        pos, erp = self.sides()
        return pos.metrics().get(metric, Decimal(0)), erp.metrics().get(metric, Decimal(0))


def reconcile_day(
    store_id: str,
    business_date: date,
    tickets: Sequence[PosTicket],
    postings: Sequence[ErpPosting],
    exceptions: Sequence[ExceptionNote] = (),
    receipt_gaps: Sequence[ReceiptGap] = (),
) -> StoreDay:
    groups = _groups(tickets, postings)
    pos = add_figures(ticket.figures for ticket in tickets)
    erp = add_figures(posting.figures for posting in postings)
    metrics = _metric_names(pos, erp)
    differences: list[Difference] = []
    for metric in metrics:
        compared = [(group, *group.values(metric)) for group in groups if group.compares(metric)]
        behind = [
            name
            for group, pos_value, erp_value in compared
            if pos_value != erp_value
            for name in group.behind
        ]
        if behind:  # listed even when the day's totals happen to offset
            differences.append(
                Difference(
                    metric=metric,
                    pos=sum((values[1] for values in compared), Decimal(0)),
                    erp=sum((values[2] for values in compared), Decimal(0)),
                    behind=behind,
                )
            )
    return StoreDay(
        store_id=store_id,
        business_date=business_date,
        currency=tickets[0].currency if tickets else None,
        pos=pos,
        erp=erp,
        differences=differences,
        open_exceptions=list(exceptions),
        receipt_gaps=list(receipt_gaps),
        redated=[
            RedatedTicket(transaction_id=ticket.transaction_id, posting_date=ticket.posting_date)
            for ticket in tickets
            if ticket.posting_date is not None and ticket.posting_date != ticket.business_date
        ],
    )


def _groups(tickets: Sequence[PosTicket], postings: Sequence[ErpPosting]) -> list[_Group]:
    by_ticket: dict[str, _Group] = {}
    groups: list[_Group] = []
    for ticket in tickets:
        group = _Group()
        group.tickets.append(ticket)
        by_ticket[ticket.workflow_id] = group
        groups.append(group)
    for posting in postings:
        covered: list[_Group] = []
        for workflow_id in posting.workflow_ids:
            found = by_ticket.get(workflow_id)
            if found is not None and all(found is not seen for seen in covered):
                covered.append(found)
        if not covered:
            orphan = _Group()
            orphan.postings.append(posting)
            groups.append(orphan)
            continue
        target = covered[0]
        for other in covered[1:]:
            target.tickets += other.tickets
            target.postings += other.postings
            for ticket in other.tickets:
                by_ticket[ticket.workflow_id] = target
            groups.remove(other)
        target.postings.append(posting)
    return groups


def _metric_names(pos: Figures, erp: Figures) -> list[str]:
    names = list(pos.metrics())
    names += [name for name in erp.metrics() if name not in names]
    return names
