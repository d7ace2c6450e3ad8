"""Each store's sync health as the store holds it: the newest ticket seen and posted, the lag
between them by the tills' clock (as the metric has it: domain.sync_health), how long ago the
newest ticket arrived (silent beyond a threshold), tickets by outcome, open exceptions and
receipts still missing."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from domain.exception_routing import describe_age
from domain.outcomes import ExceptionKind, Outcome
from domain.sync_health import as_utc, is_silent, silent_for, sync_lag_seconds
from store.sync_marks import sync_marks
from store.tables import JournalEntry, SyncException, TransactionClaim


@dataclass
class StoreHealth:
    store_id: str
    tickets_seen: int = 0
    last_seen: str | None = None
    last_seen_at: datetime | None = None
    last_posted: str | None = None
    last_posted_at: datetime | None = None
    newest_seen_till_time: datetime | None = None
    newest_posted_till_time: datetime | None = None
    lag_seconds: float | None = None
    """till time of the newest ticket seen less that of the newest posted"""
    silent_for: timedelta | None = None
    """since the newest ticket arrived"""
    silent: bool = False
    outcomes: dict[str, int] = field(default_factory=dict)
    open_exceptions: int = 0
    missing_receipts: int = 0

    @property
    def in_flight(self) -> int:
        """Claimed and not journaled yet: running, waiting or parked."""
        return max(self.tickets_seen - sum(self.outcomes.values()), 0)

    @property
    def lag(self) -> timedelta | None:
        """By the tills' clock; None while tickets arrived and none posted."""
        if self.newest_posted_till_time is None:
            return None if self.tickets_seen else timedelta(0)
        return timedelta(seconds=self.lag_seconds or 0)

    @property
    def lag_text(self) -> str:
        lag = self.lag
        return "" if lag is None else describe_age(lag)

    @property
    def silent_text(self) -> str:
        return "" if self.silent_for is None else describe_age(self.silent_for)


def store_health(
    session: Session, visible_kinds: Sequence[str], now: datetime, silent_after: timedelta
) -> list[StoreHealth]:
    """One row per store that sent a ticket or has an open exception; exceptions counted
    among ``visible_kinds`` only; silent when its newest ticket arrived over ``silent_after``
    before ``now``."""
    stores: dict[str, StoreHealth] = {}

    def of(store_id: str) -> StoreHealth:
        return stores.setdefault(store_id, StoreHealth(store_id))

    for store_id, count in session.exec(
        select(TransactionClaim.store_id, func.count()).group_by(col(TransactionClaim.store_id))
    ).all():
        of(store_id).tickets_seen = count
    for claim in _newest_claims(session, posted_only=False):
        row = of(claim.store_id)
        row.last_seen, row.last_seen_at = claim.transaction_id, as_utc(claim.claimed_at)
    for claim in _newest_claims(session, posted_only=True):
        row = of(claim.store_id)
        row.last_posted, row.last_posted_at = claim.transaction_id, as_utc(claim.claimed_at)
    for mark in sync_marks(session):
        row = of(mark.store_id)
        row.newest_seen_till_time = as_utc(mark.newest_seen_till_time)
        posted = mark.newest_posted_till_time
        row.newest_posted_till_time = as_utc(posted) if posted is not None else None
        row.lag_seconds = sync_lag_seconds(mark)
    for row in stores.values():
        row.silent_for = silent_for(row.last_seen_at, now)
        row.silent = is_silent(row.last_seen_at, now, silent_after)
    outcomes: dict[str, dict[str, int]] = defaultdict(dict)
    for store_id, outcome, count in session.exec(
        select(JournalEntry.store_id, JournalEntry.outcome, func.count()).group_by(
            col(JournalEntry.store_id), col(JournalEntry.outcome)
        )
    ).all():
        outcomes[store_id][outcome] = count
    for store_id, counts in outcomes.items():
        of(store_id).outcomes = counts
    for record in session.exec(
        select(SyncException).where(
            SyncException.state == "open", col(SyncException.kind).in_(list(visible_kinds))
        )
    ).all():
        row = of(record.store_id)
        row.open_exceptions += 1
        if record.kind == ExceptionKind.RECEIPT_GAP.value:
            row.missing_receipts += int(record.details.get("missing_count", 0))
    return [stores[store_id] for store_id in sorted(stores)]


def _newest_claims(session: Session, *, posted_only: bool) -> list[TransactionClaim]:
    """Each store's newest claim (by arrival), or newest claim whose ticket posted."""
    newest = select(TransactionClaim.store_id, func.max(TransactionClaim.id).label("newest"))
    if posted_only:
        newest = newest.join(
            JournalEntry, col(JournalEntry.workflow_id) == col(TransactionClaim.workflow_id)
        ).where(JournalEntry.outcome == Outcome.POSTED.value)
    ids = [number for _, number in session.exec(newest.group_by(TransactionClaim.store_id)).all()]
    if not ids:
        return []
    return list(
        session.exec(select(TransactionClaim).where(col(TransactionClaim.id).in_(ids))).all()
    )
