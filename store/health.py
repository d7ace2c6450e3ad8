"""Each store's sync health as the store holds it: the newest ticket seen and posted, the lag
between them, tickets by outcome, open exceptions and receipts still missing."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from domain.exception_routing import describe_age, sync_lag
from domain.outcomes import ExceptionKind, Outcome
from store.tables import JournalEntry, SyncException, TransactionClaim


@dataclass
class StoreHealth:
    store_id: str
    tickets_seen: int = 0
    last_seen: str | None = None
    last_seen_at: datetime | None = None
    last_posted: str | None = None
    last_posted_at: datetime | None = None
    outcomes: dict[str, int] = field(default_factory=dict)
    open_exceptions: int = 0
    missing_receipts: int = 0

    @property
    def in_flight(self) -> int:
        """Claimed and not journaled yet: running, waiting or parked."""
        return max(self.tickets_seen - sum(self.outcomes.values()), 0)

    @property
    def lag(self) -> timedelta | None:
        return sync_lag(self.last_seen_at, self.last_posted_at)

    @property
    def lag_text(self) -> str:
        lag = self.lag
        return "" if lag is None else describe_age(lag)


def store_health(session: Session, visible_kinds: Sequence[str]) -> list[StoreHealth]:
    """One row per store that sent a ticket or has an open exception; exceptions counted
    among ``visible_kinds`` only."""
    stores: dict[str, StoreHealth] = {}

    def of(store_id: str) -> StoreHealth:
        return stores.setdefault(store_id, StoreHealth(store_id))

    for store_id, count in session.exec(
        select(TransactionClaim.store_id, func.count()).group_by(col(TransactionClaim.store_id))
    ).all():
        of(store_id).tickets_seen = count
    for claim in _newest_claims(session, posted_only=False):
        row = of(claim.store_id)
        row.last_seen, row.last_seen_at = claim.transaction_id, _utc(claim.claimed_at)
    for claim in _newest_claims(session, posted_only=True):
        row = of(claim.store_id)
        row.last_posted, row.last_posted_at = claim.transaction_id, _utc(claim.claimed_at)
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


def _utc(value: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; the store writes them in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
