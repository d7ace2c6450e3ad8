"""Per store: the newest ticket seen and posted (till time) and when, for lag and silence."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain.sync_health import as_utc
from store.tables import StoreSyncMark


def mark_seen(session: Session, store_id: str, till_time: datetime, now: datetime) -> None:
    """A new ticket of ``store_id`` arrived (claimed by its run)."""
    till_time = as_utc(till_time)
    mark = _locked(session, store_id)
    if mark is None:
        try:
            with session.begin_nested():
                session.add(
                    StoreSyncMark(
                        store_id=store_id,
                        newest_seen_till_time=till_time,
                        first_seen_till_time=till_time,
                        last_seen_at=now,
                    )
                )
            return
        except IntegrityError:  # another worker's first ticket of the store won the insert
            mark = _locked(session, store_id)
            assert mark is not None
    mark.newest_seen_till_time = max(as_utc(mark.newest_seen_till_time), till_time)
    mark.last_seen_at = now
    session.add(mark)


def mark_posted(session: Session, store_id: str, till_time: datetime, now: datetime) -> None:
    """A ticket of ``store_id`` was posted; its arrival was marked when its run claimed it."""
    till_time = as_utc(till_time)
    mark = _locked(session, store_id)
    if mark is None:  # claimed before this table existed
        mark_seen(session, store_id, till_time, now)
        mark = _locked(session, store_id)
        assert mark is not None
    newest = mark.newest_posted_till_time
    mark.newest_posted_till_time = till_time if newest is None else max(as_utc(newest), till_time)
    mark.last_posted_at = now
    session.add(mark)


def sync_marks(session: Session) -> list[StoreSyncMark]:
    return list(session.exec(select(StoreSyncMark).order_by(col(StoreSyncMark.store_id))).all())


def _locked(session: Session, store_id: str) -> StoreSyncMark | None:
    return session.exec(
        select(StoreSyncMark).where(StoreSyncMark.store_id == store_id).with_for_update()
    ).first()
