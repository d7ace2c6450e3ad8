"""Per store: the newest ticket seen and posted (till time) and when, for lag and silence."""

from datetime import datetime
from functools import cache

from sqlalchemy import Update, bindparam, update
from sqlmodel import Session, col, select

from domain.sync_health import as_utc
from store.tables import StoreSyncMark
from store.upserts import insert_or_ignore, later_of, rowcount


def mark_seen(session: Session, store_id: str, till_time: datetime, now: datetime) -> None:
    """A new ticket of ``store_id`` arrived (claimed by its run)."""
    if not _advance(session, store_id, "newest_seen_till_time", till_time, now):
        first = as_utc(till_time)
        values = {
            "store_id": store_id,
            "newest_seen_till_time": first,
            "first_seen_till_time": first,
            "last_seen_at": as_utc(now),
        }
        if not insert_or_ignore(session, StoreSyncMark, values, ["store_id"]):
            # another worker's first ticket of the store won the insert
            _advance(session, store_id, "newest_seen_till_time", till_time, now)


def mark_posted(session: Session, store_id: str, till_time: datetime, now: datetime) -> None:
    """A ticket of ``store_id`` was posted; its arrival was marked when its run claimed it."""
    if not _advance(session, store_id, "newest_posted_till_time", till_time, now):
        mark_seen(session, store_id, till_time, now)  # claimed before this table existed
        _advance(session, store_id, "newest_posted_till_time", till_time, now)


def _advance(
    session: Session, store_id: str, newest: str, till_time: datetime, now: datetime
) -> bool:
    """Move the store's ``newest`` till time forward to ``till_time`` (never back) and stamp
    its arrival, in one statement; False when the store has no mark yet."""
    values = {"mark_store": store_id, "till_time": as_utc(till_time), "arrived": as_utc(now)}
    return rowcount(session.execute(_advance_statement(newest), values)) > 0


@cache
def _advance_statement(newest: str) -> Update:
    """The statement of ``_advance`` for one of the marks, built once: the values are its
    parameters (mark_store, till_time, arrived)."""
    arrival = {
        "newest_seen_till_time": "last_seen_at",
        "newest_posted_till_time": "last_posted_at",
    }[newest]
    marks = StoreSyncMark.__table__.c  # type: ignore[attr-defined]
    till_time = bindparam("till_time", type_=marks[newest].type)
    arrived = bindparam("arrived", type_=marks[arrival].type)
    return (
        update(StoreSyncMark.__table__)  # type: ignore[attr-defined]
        .where(marks.store_id == bindparam("mark_store"))
        .values({newest: later_of(marks[newest], till_time), arrival: arrived})
    )


def sync_marks(session: Session) -> list[StoreSyncMark]:
    return list(session.exec(select(StoreSyncMark).order_by(col(StoreSyncMark.store_id))).all())
