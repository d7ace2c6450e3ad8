"""How far behind a store's sync is, by the till's own clock, and how long since it was last
heard from, by the arrival of its newest ticket."""

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class SyncMark(Protocol):
    @property
    def newest_seen_till_time(self) -> datetime: ...
    @property
    def first_seen_till_time(self) -> datetime: ...
    @property
    def newest_posted_till_time(self) -> datetime | None: ...


def sync_lag_seconds(mark: SyncMark) -> float:
    """Till time of the newest ticket seen less that of the newest posted. Before the store's
    first posting, the span of what was seen; never negative (a late offline ticket posted
    after newer ones does not make the store ahead of itself)."""
    seen = as_utc(mark.newest_seen_till_time)
    posted = mark.newest_posted_till_time
    since = as_utc(posted) if posted is not None else as_utc(mark.first_seen_till_time)
    return max((seen - since).total_seconds(), 0.0)


def silent_for(last_arrival: datetime | None, now: datetime) -> timedelta | None:
    """How long ago the store's newest ticket arrived (None: none has). Lag and silence are
    apart on purpose: an offline till replaying old tickets makes a store heard from now,
    not behind (their till times are older than what was posted), and a store whose tills
    went quiet is silent, not caught up."""
    if last_arrival is None:
        return None
    return max(as_utc(now) - as_utc(last_arrival), timedelta(0))


def is_silent(last_arrival: datetime | None, now: datetime, silent_after: timedelta) -> bool:
    """Nothing arrived from the store for longer than ``silent_after``."""
    quiet = silent_for(last_arrival, now)
    return quiet is not None and quiet > silent_after


def as_utc(value: datetime) -> datetime:
    """A till clock without a zone is read as UTC (a store's tills share one clock, so its lag
    is right either way); SQLite hands datetimes back without their zone."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def settled_business_day(now: datetime, daily_posting_hour: int) -> date:
    """The latest business day the ERP should hold in full: yesterday once the daily posting
    has had an hour to run, else the day before."""
    today = as_utc(now).date()
    settled_from = daily_posting_hour + 1
    return today - timedelta(days=1 if as_utc(now).hour >= settled_from else 2)
