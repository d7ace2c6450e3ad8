"""Each store's sync health for a business day, for the health page: last ticket seen and
posted, lag, the day's tickets by outcome, open exceptions, parked runs, receipts missing."""

from collections import defaultdict
from datetime import date

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from domain.outcomes import Outcome
from domain.sync_health import StoreHealth, as_utc, sync_lag_seconds
from store.open_issues import open_exception_groups, open_receipt_gaps, parked_run_groups
from store.sync_marks import sync_marks
from store.tables import JournalEntry


def store_overview(session: Session, day: date) -> list[StoreHealth]:
    stores: dict[str, StoreHealth] = defaultdict(lambda: StoreHealth(store_id=""))

    def of(store_id: str) -> StoreHealth:
        health = stores[store_id]
        health.store_id = store_id
        return health

    for mark in sync_marks(session):
        health = of(mark.store_id)
        health.last_seen_at = as_utc(mark.last_seen_at)
        health.last_posted_at = as_utc(mark.last_posted_at) if mark.last_posted_at else None
        health.newest_seen_till_time = as_utc(mark.newest_seen_till_time)
        posted = mark.newest_posted_till_time
        health.newest_posted_till_time = as_utc(posted) if posted else None
        health.lag_seconds = sync_lag_seconds(mark)
    outcomes = session.execute(
        select_columns(col(JournalEntry.store_id), col(JournalEntry.outcome), func.count())
        .where(col(JournalEntry.business_date) == day)
        .group_by(col(JournalEntry.store_id), col(JournalEntry.outcome))
    ).all()
    for store_id, outcome, count in outcomes:
        of(store_id).outcomes[outcome] = count
    for group in open_exception_groups(session):
        of(group.store_id).open_exceptions += group.count
    for group in parked_run_groups(session):
        of(group.store_id).parked_runs += group.count
    for gap in open_receipt_gaps(session):
        of(gap.store_id).missing_receipts = gap.missing_receipts
    for health in stores.values():
        if health.parked_runs:
            health.outcomes[Outcome.PARKED.value] = health.parked_runs
    return [stores[store_id] for store_id in sorted(stores)]
