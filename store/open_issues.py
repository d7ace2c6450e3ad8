"""Open issues as the store holds them now: open exceptions and parked runs, receipt gaps.

Read at scrape time by the metrics (observability/store_gauges.py) and by the health page, so
every process and every restart sees the same figures.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from domain.outcomes import ExceptionKind
from store.tables import JournalEntry, SyncException

OPEN = "open"


@dataclass(frozen=True)
class OpenGroup:
    store_id: str
    kind: str
    owner: str
    count: int
    oldest_opened_at: datetime


@dataclass(frozen=True)
class StoreGaps:
    store_id: str
    terminals: int
    missing_receipts: int


def open_exception_groups(session: Session) -> list[OpenGroup]:
    """Open exceptions by store, kind and owner, with the oldest one's opening time."""
    return _groups(session, parked_only=False)


def parked_run_groups(session: Session) -> list[OpenGroup]:
    """Runs parked now (an open exception of a run that has not ended: no journal row yet), by
    store, kind and owner. A run that posted with a record left for review is not parked."""
    return _groups(session, parked_only=True)


def _groups(session: Session, *, parked_only: bool) -> list[OpenGroup]:
    query = select_columns(
        col(SyncException.store_id),
        col(SyncException.kind),
        col(SyncException.owner),
        func.count(),
        func.min(SyncException.opened_at),
    ).where(col(SyncException.state) == OPEN)
    if parked_only:
        journaled = exists().where(col(JournalEntry.workflow_id) == col(SyncException.workflow_id))
        query = query.where(col(SyncException.workflow_id).is_not(None), ~journaled)
    query = query.group_by(SyncException.store_id, SyncException.kind, SyncException.owner)
    return [
        OpenGroup(store, kind, owner, count, oldest)
        for store, kind, owner, count, oldest in session.execute(query).all()
    ]


def open_receipt_gaps(session: Session) -> list[StoreGaps]:
    """Per store: terminals with an open receipt gap, and the receipts they miss."""
    rows = session.exec(
        select(SyncException).where(
            SyncException.state == OPEN, SyncException.kind == ExceptionKind.RECEIPT_GAP.value
        )
    ).all()
    gaps: dict[str, tuple[int, int]] = {}
    for row in rows:
        terminals, missing = gaps.get(row.store_id, (0, 0))
        gaps[row.store_id] = (terminals + 1, missing + int(row.details.get("missing_count", 0)))
    return [StoreGaps(store, t, m) for store, (t, m) in sorted(gaps.items())]
