"""The facts of a business day per store, from the journal and the exceptions (domain.kpi)."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from domain.kpi import OldestOpen, StoreDayFacts
from domain.outcomes import ExceptionKind, Outcome
from domain.sync_health import as_utc
from store.tables import JournalEntry, SyncException


def store_day_facts(
    session: Session, day: date, reconciliation: dict[str, int] | None = None
) -> list[StoreDayFacts]:
    """Every store with tickets or exceptions on ``day``, or an exception still open;
    ``reconciliation``: the differences per store, when the day was reconciled."""
    journal = session.exec(select(JournalEntry).where(JournalEntry.business_date == day)).all()
    exceptions = session.exec(select(SyncException).where(_of_day(day))).all()
    journaled = {entry.workflow_id for entry in journal}
    touched = {
        record.workflow_id for record in exceptions if record.workflow_id and _parks(record.kind)
    }
    parked: dict[str, set[str]] = defaultdict(set)
    for record in exceptions:
        if record.state == "open" and record.workflow_id and record.workflow_id not in journaled:
            parked[record.store_id].add(record.workflow_id)
    ended = Counter(entry.store_id for entry in journal)
    posted = Counter(entry.store_id for entry in journal if entry.outcome == Outcome.POSTED)
    untouched = Counter(
        entry.store_id
        for entry in journal
        if entry.outcome == Outcome.POSTED and entry.workflow_id not in touched
    )
    opened = Counter(record.store_id for record in exceptions)
    resolve_times: dict[str, list[timedelta]] = defaultdict(list)
    for record in exceptions:
        if record.resolved_at is not None and _parks(record.kind):
            resolve_times[record.store_id].append(
                as_utc(record.resolved_at) - as_utc(record.opened_at)
            )
    oldest = _oldest_open(session)
    stores = sorted({*ended, *opened, *parked, *oldest})
    return [
        StoreDayFacts(
            store_id=store,
            tickets=ended[store] + len(parked[store]),
            posted=posted[store],
            posted_untouched=untouched[store],
            exceptions=opened[store],
            resolve_times=resolve_times[store],
            reconciliation_differences=(
                None if reconciliation is None else reconciliation.get(store, 0)
            ),
            oldest_open=oldest.get(store),
        )
        for store in stores
    ]


def _of_day(day: date) -> ColumnElement[bool]:
    """An exception of ``day``: its ticket's business date, or (a receipt gap, which has none)
    opened that day (UTC)."""
    start = datetime.combine(day, time.min, UTC)
    return or_(
        col(SyncException.business_date) == day,
        and_(
            col(SyncException.business_date).is_(None),
            col(SyncException.opened_at) >= start,
            col(SyncException.opened_at) < start + timedelta(days=1),
        ),
    )


def _oldest_open(session: Session) -> dict[str, OldestOpen]:
    oldest: dict[str, OldestOpen] = {}
    records = session.exec(
        select(SyncException)
        .where(SyncException.state == "open")
        .order_by(col(SyncException.opened_at))
    ).all()
    for record in records:
        if record.store_id not in oldest:
            oldest[record.store_id] = OldestOpen(
                kind=record.kind, opened_at=as_utc(record.opened_at)
            )
    return oldest


def _parks(kind: str) -> bool:
    """Whether an exception of ``kind`` stops a run for a person (not a record for review)."""
    try:
        return not ExceptionKind(kind).is_review_record
    except ValueError:
        return True
