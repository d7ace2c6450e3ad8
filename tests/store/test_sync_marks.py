"""A store's sync marks move forward only, in one statement each, under concurrent workers."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

from sqlalchemy import Engine

from store.db import session_scope
from store.sync_marks import mark_posted, mark_seen, sync_marks


def _store() -> str:
    """A store of its own: the PostgreSQL store is shared by the session's tests."""
    return f"SM-{uuid4().hex[:8]}"


NOON = datetime(2026, 11, 20, 12, tzinfo=UTC)
ARRIVED = datetime(2026, 11, 20, 13, tzinfo=UTC)


def _marks(engine: Engine) -> dict[str, tuple[datetime, datetime, datetime | None, datetime]]:
    with session_scope(engine) as session:
        return {
            mark.store_id: (
                mark.newest_seen_till_time.replace(tzinfo=None),
                mark.first_seen_till_time.replace(tzinfo=None),
                mark.newest_posted_till_time.replace(tzinfo=None)
                if mark.newest_posted_till_time
                else None,
                mark.last_seen_at.replace(tzinfo=None),
            )
            for mark in sync_marks(session)
        }


def test_newest_seen_moves_forward_only_and_the_arrival_is_stamped(store_engine: Engine) -> None:
    naive, store = NOON.replace(tzinfo=None), _store()
    for till_time, arrived in (
        (NOON, ARRIVED),
        (NOON - timedelta(hours=3), ARRIVED + timedelta(minutes=1)),  # an offline till's replay
        (NOON.astimezone(timezone(timedelta(hours=2))) + timedelta(seconds=1), ARRIVED),
    ):
        with session_scope(store_engine) as session:
            mark_seen(session, store, till_time, arrived)
    seen, first, posted, last_seen = _marks(store_engine)[store]
    assert seen == naive + timedelta(seconds=1), "a later ticket in another zone still counts"
    assert first == naive and posted is None
    assert last_seen == ARRIVED.replace(tzinfo=None)


def test_a_post_without_a_mark_creates_it_and_posts_move_forward_only(
    store_engine: Engine,
) -> None:
    store = _store()
    with session_scope(store_engine) as session:
        mark_posted(session, store, NOON, ARRIVED)
        mark_posted(session, store, NOON - timedelta(days=1), ARRIVED)
    seen, _, posted, _ = _marks(store_engine)[store]
    assert seen == posted == NOON.replace(tzinfo=None)


def test_concurrent_first_tickets_of_a_store_all_mark_it_and_the_newest_wins(
    store_engine: Engine,
) -> None:
    store = _store()

    def seen(minute: int) -> None:
        with session_scope(store_engine) as session:
            mark_seen(session, store, NOON + timedelta(minutes=minute), ARRIVED)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(seen, range(16)))
    assert _marks(store_engine)[store][0] == (NOON + timedelta(minutes=15)).replace(tzinfo=None)
