"""Daily consolidated postings: which journaled tickets await one, and the batches made of them.

A batch is made in one database transaction: its row, its totals and the links from its
tickets' journal rows. A ticket is linked at most once (the link is only set where it is still
empty, so two concurrent runs can never book the same ticket twice). A batch stays pending
until the ERP has booked it; a run that died in between finds it again and finishes it.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, func, select

from domain.breakdown import TicketBreakdown
from domain.consolidation import (
    ConsolidatedRefs,
    ConsolidatedTotals,
    ConsolidationBatch,
    ConsolidationTicket,
    batch_key,
    consolidate,
)
from domain.outcomes import Outcome
from domain.periods import DateRange, PostingMode
from store.tables import ConsolidatedPosting, JournalEntry

PENDING = "pending"
POSTED = "posted"


def pending_store_days(
    session: Session,
    *,
    through: date,
    since: date | None = None,
    store_id: str | None = None,
    leave_out: Sequence[DateRange] = (),
) -> list[tuple[str, date]]:
    """(store, business day) pairs with tickets or a batch still waiting for the ERP, but for
    days in ``leave_out``."""
    waiting = select(JournalEntry.store_id, col(JournalEntry.business_date)).where(
        JournalEntry.posting_mode == PostingMode.DAILY.value,
        JournalEntry.outcome == Outcome.POSTED.value,
        col(JournalEntry.consolidation_id).is_(None),
        JournalEntry.business_date <= through,
    )
    unfinished = select(ConsolidatedPosting.store_id, col(ConsolidatedPosting.business_date)).where(
        ConsolidatedPosting.state == PENDING, ConsolidatedPosting.business_date <= through
    )
    if since is not None:
        waiting = waiting.where(JournalEntry.business_date >= since)
        unfinished = unfinished.where(ConsolidatedPosting.business_date >= since)
    if store_id is not None:
        waiting = waiting.where(JournalEntry.store_id == store_id)
        unfinished = unfinished.where(ConsolidatedPosting.store_id == store_id)
    pairs = set(session.exec(waiting).all()) | set(session.exec(unfinished).all())
    kept = [pair for pair in pairs if not any(span.contains(pair[1]) for span in leave_out)]
    return sorted(kept, key=lambda pair: (pair[1], pair[0]))


def prepare_batch(
    session: Session, store_id: str, business_date: date, now: datetime
) -> ConsolidationBatch | None:
    """The store-day's unfinished batch, or a new one of its waiting tickets; None if none."""
    unfinished = session.exec(
        select(ConsolidatedPosting).where(
            ConsolidatedPosting.store_id == store_id,
            ConsolidatedPosting.business_date == business_date,
            ConsolidatedPosting.state == PENDING,
        )
    ).first()
    if unfinished is not None:
        return _batch(session, unfinished)
    entries = list(
        session.exec(
            select(JournalEntry)
            .where(
                JournalEntry.store_id == store_id,
                JournalEntry.business_date == business_date,
                JournalEntry.posting_mode == PostingMode.DAILY.value,
                JournalEntry.outcome == Outcome.POSTED.value,
                col(JournalEntry.consolidation_id).is_(None),
            )
            .order_by(col(JournalEntry.id))
        ).all()
    )
    if not entries:
        return None
    currency = entries[0].currency
    entries = [entry for entry in entries if entry.currency == currency]
    earlier = session.exec(
        select(func.count(col(ConsolidatedPosting.id))).where(
            ConsolidatedPosting.store_id == store_id,
            ConsolidatedPosting.business_date == business_date,
        )
    ).one()
    totals = consolidate([_ticket(entry) for entry in entries])
    row = ConsolidatedPosting(
        batch_key=batch_key(store_id, business_date, earlier + 1),
        store_id=store_id,
        business_date=business_date,
        currency=currency,
        state=PENDING,
        ticket_count=totals.ticket_count,
        gross_total=totals.gross,
        totals=totals.model_dump(mode="json"),
        created_at=now,
    )
    session.add(row)
    session.flush()
    linked = cast(
        "CursorResult[Any]",
        session.execute(
            update(JournalEntry)
            .where(
                col(JournalEntry.id).in_([entry.id for entry in entries]),
                col(JournalEntry.consolidation_id).is_(None),
            )
            .values(consolidation_id=row.id)
        ),
    )
    if linked.rowcount != len(entries):
        raise RuntimeError(f"tickets of {row.batch_key} were taken by another batch; retry")
    return _batch(session, row)


def record_posted(session: Session, refs: ConsolidatedRefs, now: datetime) -> ConsolidatedPosting:
    """The ERP booked the batch: keep where, and give its tickets their posting date."""
    row = session.exec(
        select(ConsolidatedPosting).where(ConsolidatedPosting.batch_key == refs.key)
    ).one()
    row.state = POSTED
    row.erp_move_id = refs.move_id
    row.erp_move_number = refs.move_number
    row.posting_date = refs.posting_date
    row.cost_of_goods = refs.cost_of_goods
    row.posted_at = now
    session.add(row)
    session.execute(
        update(JournalEntry)
        .where(col(JournalEntry.consolidation_id) == row.id)
        .values(posting_date=refs.posting_date)
    )
    session.flush()
    return row


def batches_between(
    session: Session, start: date, end: date, store_id: str | None = None
) -> list[tuple[ConsolidatedPosting, list[str]]]:
    """Batches of business days in [start, end], each with the workflow ids of its tickets."""
    query = select(ConsolidatedPosting).where(
        ConsolidatedPosting.business_date >= start, ConsolidatedPosting.business_date <= end
    )
    if store_id is not None:
        query = query.where(ConsolidatedPosting.store_id == store_id)
    rows = session.exec(query.order_by(col(ConsolidatedPosting.id))).all()
    return [(row, _workflow_ids(session, row)) for row in rows]


def batch_of_key(session: Session, key: str) -> ConsolidationBatch:
    """The batch ``key`` as the store holds it now (its tickets' ERP references included)."""
    row = session.exec(
        select(ConsolidatedPosting).where(ConsolidatedPosting.batch_key == key)
    ).one()
    return _batch(session, row)


def _batch(session: Session, row: ConsolidatedPosting) -> ConsolidationBatch:
    assert row.id is not None
    references = session.exec(
        select(JournalEntry.erp_reference).where(
            JournalEntry.consolidation_id == row.id, col(JournalEntry.erp_reference).is_not(None)
        )
    ).all()
    return ConsolidationBatch(
        key=row.batch_key,
        store_id=row.store_id,
        business_date=row.business_date,
        currency=row.currency,
        stock_references=sorted(reference for reference in references if reference is not None),
        totals=ConsolidatedTotals.model_validate(row.totals),
    )


def _workflow_ids(session: Session, row: ConsolidatedPosting) -> list[str]:
    return list(
        session.exec(
            select(JournalEntry.workflow_id).where(JournalEntry.consolidation_id == row.id)
        ).all()
    )


def _ticket(entry: JournalEntry) -> ConsolidationTicket:
    return ConsolidationTicket(
        workflow_id=entry.workflow_id,
        net=entry.net_total,
        tax=entry.tax_total,
        gross=entry.gross_total,
        breakdown=TicketBreakdown.model_validate(entry.breakdown),
    )
