"""The POS side of a reconciliation, read from the store: posted tickets, receipt numbers that
arrived, open exceptions, and which store a workflow's ERP documents belong to."""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from domain.breakdown import TicketBreakdown
from domain.outcomes import ExceptionKind, Outcome
from domain.periods import PostingMode
from domain.receipts import ReceiptGap, ReceiptRange, missing_ranges, split_jumps
from domain.reconciliation import ExceptionNote, Figures, PosTicket
from store.tables import JournalEntry, ReceiptSeen, SyncException, TransactionClaim

StoreDayKey = tuple[str, date]
# Shown elsewhere in the report: re-dated tickets in their own list, gaps as receipt gaps.
_NOT_LISTED = (ExceptionKind.PERIOD_REDATED.value, ExceptionKind.RECEIPT_GAP.value)


def posted_tickets(
    session: Session, start: date, end: date, store_id: str | None = None
) -> list[PosTicket]:
    query = select(JournalEntry).where(
        JournalEntry.outcome == Outcome.POSTED.value,
        JournalEntry.business_date >= start,
        JournalEntry.business_date <= end,
    )
    if store_id is not None:
        query = query.where(JournalEntry.store_id == store_id)
    return [_ticket(entry) for entry in session.exec(query.order_by(col(JournalEntry.id))).all()]


def open_exception_notes(
    session: Session, start: date, end: date, store_id: str | None = None
) -> dict[StoreDayKey, list[ExceptionNote]]:
    query = select(SyncException).where(
        SyncException.state == "open",
        col(SyncException.business_date) >= start,
        col(SyncException.business_date) <= end,
        col(SyncException.kind).not_in(_NOT_LISTED),
    )
    if store_id is not None:
        query = query.where(SyncException.store_id == store_id)
    notes: dict[StoreDayKey, list[ExceptionNote]] = defaultdict(list)
    for record in session.exec(query.order_by(col(SyncException.id))).all():
        assert record.business_date is not None
        notes[(record.store_id, record.business_date)].append(
            ExceptionNote(
                kind=record.kind,
                owner=record.owner,
                terminal_id=record.terminal_id,
                transaction_id=record.transaction_id,
                message=record.message,
            )
        )
    return notes


def receipt_gaps(
    session: Session, start: date, end: date, store_id: str | None = None
) -> dict[StoreDayKey, list[ReceiptGap]]:
    """Receipt ranges that never arrived, per terminal, under the day of the next receipt
    (jumps too wide to be missing tickets apart).

    A terminal's range is bounded by the lowest and highest receipt it journaled in the
    dates; a number inside it arrived if it was journaled (any outcome, any date) or noted
    on arrival by the intake.
    """
    query = select(
        JournalEntry.store_id,
        JournalEntry.terminal_id,
        JournalEntry.receipt_number,
        col(JournalEntry.business_date),
    ).where(JournalEntry.business_date >= start, JournalEntry.business_date <= end)
    if store_id is not None:
        query = query.where(JournalEntry.store_id == store_id)
    in_dates: dict[tuple[str, str], dict[int, date]] = defaultdict(dict)
    for store, terminal, number, day in session.exec(query).all():
        in_dates[(store, terminal)][number] = day
    gaps: dict[StoreDayKey, list[ReceiptGap]] = defaultdict(list)
    for (store, terminal), days in sorted(in_dates.items()):
        journaled = sorted(days)
        arrived = _arrived(session, store, terminal, journaled[0], journaled[-1])
        by_day: dict[date, list[ReceiptRange]] = defaultdict(list)
        for span in missing_ranges(arrived):
            next_journaled = journaled[bisect_right(journaled, span.last)]
            by_day[days[next_journaled]].append(span)
        for day, spans in sorted(by_day.items()):
            missing, jumps = split_jumps(spans)
            gaps[(store, day)].append(
                ReceiptGap(store_id=store, terminal_id=terminal, missing=missing, jumps=jumps)
            )
    return gaps


def workflow_stores(session: Session, workflow_ids: Iterable[str]) -> dict[str, str]:
    """The store of each workflow the store knows (journaled or claimed)."""
    wanted = sorted(set(workflow_ids))
    found: dict[str, str] = {}
    for workflow_id, store in session.exec(
        select(TransactionClaim.workflow_id, TransactionClaim.store_id).where(
            col(TransactionClaim.workflow_id).in_(wanted)
        )
    ).all():
        found[workflow_id] = store
    for workflow_id, store in session.exec(
        select(JournalEntry.workflow_id, JournalEntry.store_id).where(
            col(JournalEntry.workflow_id).in_(wanted)
        )
    ).all():
        found[workflow_id] = store
    return found


def _arrived(session: Session, store: str, terminal: str, low: int, high: int) -> set[int]:
    journaled = session.exec(
        select(JournalEntry.receipt_number).where(
            JournalEntry.store_id == store,
            JournalEntry.terminal_id == terminal,
            JournalEntry.receipt_number >= low,
            JournalEntry.receipt_number <= high,
        )
    ).all()
    noted = session.exec(
        select(ReceiptSeen.receipt_number).where(
            ReceiptSeen.store_id == store,
            ReceiptSeen.terminal_id == terminal,
            ReceiptSeen.receipt_number >= low,
            ReceiptSeen.receipt_number <= high,
        )
    ).all()
    return set(journaled) | set(noted)


def _ticket(entry: JournalEntry) -> PosTicket:
    breakdown = TicketBreakdown.model_validate(entry.breakdown or {})
    return PosTicket(
        workflow_id=entry.workflow_id,
        transaction_id=entry.transaction_id,
        store_id=entry.store_id,
        terminal_id=entry.terminal_id,
        receipt_number=entry.receipt_number,
        business_date=entry.business_date,
        currency=entry.currency,
        posting_mode=PostingMode(entry.posting_mode or PostingMode.PER_TRANSACTION.value),
        posting_date=entry.posting_date,
        figures=Figures(
            count=1,
            gross=Decimal(entry.gross_total),
            net=Decimal(entry.net_total),
            tax=Decimal(entry.tax_total),
            tax_by_rate=breakdown.tax_by_rate,
            tax_by_code=breakdown.tax_by_code(),
            tenders=breakdown.tenders,
        ),
    )
