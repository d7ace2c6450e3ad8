"""A terminal whose numbering jumps gets one receipt_jump exception, never a list of millions
of numbers; its gaps keep their receipt_gap exception, kept as ranges."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from domain.receipts import TerminalRef, review_receipts
from store.db import session_scope
from store.exceptions import list_exceptions
from store.receipts import receipts_seen, record_receipt, sync_gap_exception

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TERMINAL = TerminalRef(store_id="S001", terminal_id="T1")


def _review_and_sync(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        review = review_receipts(receipts_seen(session, TERMINAL), now=now, grace=timedelta(0))
        sync_gap_exception(session, TERMINAL, review, now)


def _exceptions(engine: Engine, state: str | None = "open") -> list[tuple[str, str, object]]:
    with session_scope(engine) as session:
        return [
            (record.kind, record.message, record.details)
            for record in list_exceptions(session, state=state, store_id="S001")
        ]


def test_a_jump_is_one_exception_and_is_not_raised_again(store_engine: Engine) -> None:
    with session_scope(store_engine) as session:
        for number in (1, 2, 5, 10**7, 2**31 - 1):
            record_receipt(session, TERMINAL, number, f"TX-{number}", T0)

    _review_and_sync(store_engine, T0)
    _review_and_sync(store_engine, T0 + timedelta(minutes=1))

    assert sorted(_exceptions(store_engine)) == [
        (
            "receipt_gap",
            "store S001 terminal T1: missing 3-4",
            {"missing": [[3, 4]], "missing_count": 2},
        ),
        (
            "receipt_jump",
            f"store S001 terminal T1: numbering jumps over 10000001-{2**31 - 2}",
            {"first": 10000001, "last": 2**31 - 2, "count": 2**31 - 2 - 10000000},
        ),
        (
            "receipt_jump",
            "store S001 terminal T1: numbering jumps over 6-9999999",
            {"first": 6, "last": 9999999, "count": 9999994},
        ),
    ]
    with session_scope(store_engine) as session:
        for record in list_exceptions(session, store_id="S001"):
            if record.kind == "receipt_jump":
                record.state = "resolved"
                session.add(record)

    _review_and_sync(store_engine, T0 + timedelta(minutes=2))

    assert [kind for kind, _, _ in _exceptions(store_engine)] == ["receipt_gap"]
