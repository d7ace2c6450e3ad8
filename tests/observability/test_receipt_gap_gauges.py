"""Receipt gaps in the metrics: per store, the terminals with receipt numbers missing and how
many are missing; a gap leaves the gauges once the missing receipts arrive."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from domain.receipts import TerminalRef, review_receipts
from observability.store_gauges import StoreGauges
from store.db import session_scope
from store.receipts import receipts_seen, record_receipt, sync_gap_exception
from tests.observability.scrape import by_store

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _receive(engine: Engine, terminal: TerminalRef, numbers: list[int], now: datetime) -> None:
    with session_scope(engine) as session:
        for number in numbers:
            record_receipt(session, terminal, number, f"{terminal.terminal_id}-{number}", now)
        seen = receipts_seen(session, terminal)
        sync_gap_exception(
            session, terminal, review_receipts(seen, now=now, grace=timedelta(0)), now
        )


def test_open_receipt_gaps_are_counted_per_store(store_engine: Engine) -> None:
    till_1, till_2 = (
        TerminalRef(store_id="S001", terminal_id="T1"),
        TerminalRef(store_id="S001", terminal_id="T2"),
    )
    _receive(store_engine, till_1, [1, 4], T0)  # 2 and 3 missing
    _receive(store_engine, till_2, [1, 2, 5], T0)  # 3 and 4 missing
    _receive(
        store_engine, TerminalRef(store_id="S002", terminal_id="T1"), [1, 2, 3], T0
    )  # none missing

    gauges = StoreGauges(store_engine, cache_seconds=0)
    metrics = gauges.read(T0)
    assert by_store(metrics, "tillsync_receipt_gaps_open") == {"S001": 2}
    assert by_store(metrics, "tillsync_receipts_missing") == {"S001": 4}

    _receive(store_engine, till_1, [2, 3], T0 + timedelta(minutes=5))
    metrics = gauges.read(T0 + timedelta(minutes=5))
    assert by_store(metrics, "tillsync_receipt_gaps_open") == {"S001": 1}
    assert by_store(metrics, "tillsync_receipts_missing") == {"S001": 2}
