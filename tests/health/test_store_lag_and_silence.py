"""A store's lag is measured by the tills' clock and its silence by arrivals, on the page
and in the metrics alike: an offline till replaying old tickets makes its store heard from
now, not behind; a store whose newest ticket arrived long ago shows as silent; a store whose
newest tickets wait to be posted shows how far behind it is. On SQLite and PostgreSQL."""

import re
from datetime import UTC, datetime, timedelta
from typing import cast

import httpx
from sqlalchemy import Engine
from temporalio.client import Client

from domain.reconciliation import ReconciliationReport
from domain.settings import Settings
from observability.store_gauges import StoreGauges
from starter.health_page.app import create_app
from store.db import session_scope
from store.health import store_health
from tests.factories import make_sale, sale_line
from tests.memory_erp.health_page import PASSWORD, operators
from tests.observability.scrape import by_store
from tests.store_records import arrive, post

SILENT_AFTER = timedelta(minutes=30)


def _ticket(
    engine: Engine,
    store_id: str,
    number: int,
    till_time: datetime,
    arrived: datetime,
    *,
    posted: bool,
) -> None:
    txn = make_sale(
        f"{store_id}-{number}",
        [sale_line(1, "100001", "1", "3.60")],
        store_id=store_id,
        receipt_number=number,
        occurred_at=till_time.isoformat(),
    )
    with session_scope(engine) as session:
        arrive(session, txn, arrived)
        if posted:
            post(session, txn, arrived + timedelta(seconds=2))


def _seed(engine: Engine, now: datetime) -> None:
    # S-REPLAY: posted at noon by the till's clock; its offline till then replays two
    # tickets rung at 9:00 and 9:30, arriving 5 minutes ago and not posted yet.
    noon = now - timedelta(hours=2)
    _ticket(engine, "S-REPLAY", 1, noon, noon, posted=True)
    for number, rung in [(2, noon - timedelta(hours=3)), (3, noon - timedelta(hours=2.5))]:
        _ticket(engine, "S-REPLAY", number, rung, now - timedelta(minutes=5), posted=False)
    # S-QUIET: caught up, but nothing arrived for six hours.
    quiet = now - timedelta(hours=6)
    _ticket(engine, "S-QUIET", 1, quiet, quiet, posted=True)
    # S-BEHIND: its newest ticket, rung 50 minutes after the newest posted, waits.
    rung = now - timedelta(hours=1)
    _ticket(engine, "S-BEHIND", 1, rung, rung, posted=True)
    _ticket(
        engine,
        "S-BEHIND",
        2,
        rung + timedelta(minutes=50),
        now - timedelta(minutes=9),
        posted=False,
    )


async def test_replayed_old_tickets_are_no_lag_and_a_quiet_store_is_silent(
    store_engine: Engine,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)  # the page reads the clock: seconds apart
    _seed(store_engine, now)

    with session_scope(store_engine) as session:
        rows = {row.store_id: row for row in store_health(session, [], now, SILENT_AFTER)}
    replay, quiet, behind = rows["S-REPLAY"], rows["S-QUIET"], rows["S-BEHIND"]
    assert (replay.lag, replay.silent_for, replay.silent) == (
        timedelta(0),
        timedelta(minutes=5),
        False,
    ), "the replay arrived now; its till times are older than what was posted"
    assert (replay.tickets_seen, replay.in_flight) == (3, 2)
    assert (quiet.lag, quiet.silent_for, quiet.silent) == (timedelta(0), timedelta(hours=6), True)
    assert (behind.lag_text, behind.silent_text, behind.silent) == ("50m", "9m", False)

    metrics = StoreGauges(store_engine, cache_seconds=0).read(now)
    assert by_store(metrics, "tillsync_sync_lag_seconds") == {
        "S-REPLAY": 0,
        "S-QUIET": 0,
        "S-BEHIND": 50 * 60,
    }
    last_seen = by_store(metrics, "tillsync_store_last_seen_timestamp_seconds")
    assert now.timestamp() - last_seen["S-REPLAY"] == 5 * 60
    assert now.timestamp() - last_seen["S-QUIET"] == 6 * 3600

    async def no_reconciliation(*_: object) -> ReconciliationReport:
        raise AssertionError("the overview reconciles nothing")

    app = create_app(
        Settings(store_silent_minutes=30),
        cast(Client, None),
        store_engine,
        no_reconciliation,
        operators(),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://page"
    ) as http:
        page = await http.get("/", auth=("ivan", PASSWORD))
    assert page.status_code == 200, page.text
    cells = {store: _cells(page.text, store) for store in rows}
    assert (cells["S-REPLAY"]["lag"], cells["S-REPLAY"]["arrival"]) == ("caught up", "5m ago")
    assert (cells["S-QUIET"]["lag"], cells["S-QUIET"]["arrival"]) == ("caught up", "silent 6h 00m")
    assert (cells["S-BEHIND"]["lag"], cells["S-BEHIND"]["arrival"]) == ("50m behind", "9m ago")
    assert "silent after 30 minutes without one" in page.text
    assert all(f'id="store-{store}"' in page.text for store in rows), "alerts link to rows"


def _cells(html: str, store_id: str) -> dict[str, str]:
    """The lag and arrival cells of a store's row, as text."""
    row = html.split(f'data-store="{store_id}"', 1)[1].split("</tr>", 1)[0]
    found = {}
    for name in ("lag", "arrival"):
        match = re.search(rf'<td class="{name}">(.*?)</td>', row, re.S)
        assert match is not None, (store_id, name, row)
        found[name] = re.sub(r"<[^>]+>", "", match.group(1)).strip()
    return found
