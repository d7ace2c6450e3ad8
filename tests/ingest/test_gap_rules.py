"""When a missing receipt number is overdue, and when a new one is out of sequence."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.receipts import ReceiptRange, TerminalRef, review_receipts
from store.db import create_store_engine, session_scope
from store.receipts import receipts_seen, record_receipt

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
GRACE = timedelta(minutes=30)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def span(first: int, last: int) -> ReceiptRange:
    return ReceiptRange(first=first, last=last)


def test_a_number_is_missing_from_when_a_higher_one_arrived_and_overdue_after_the_grace() -> None:
    seen = {1: at(0), 4: at(10), 2: at(20), 7: at(25)}

    early = review_receipts(seen, now=at(39), grace=GRACE)
    later = review_receipts(seen, now=at(40), grace=GRACE)
    latest = review_receipts(seen, now=at(55), grace=GRACE)

    assert early.missing == [span(3, 3), span(5, 6)]
    assert (early.overdue, early.next_due) == ([], at(40))
    assert (later.overdue, later.next_due) == ([span(3, 3)], at(55)), "noticed when 4 arrived"
    assert (latest.overdue, latest.next_due) == ([span(3, 3), span(5, 6)], None)


def test_a_late_arrival_does_not_make_an_earlier_gap_younger() -> None:
    seen = {1: at(0), 9: at(5), 5: at(50)}

    review = review_receipts(seen, now=at(36), grace=GRACE)

    assert review.overdue == [span(2, 4), span(6, 8)], "all noticed when 9 arrived"


def test_no_gap_without_a_hole() -> None:
    assert review_receipts({3: at(0), 4: at(1)}, now=at(99), grace=GRACE).missing == []
    assert review_receipts({}, now=at(99), grace=GRACE).next_due is None


def test_only_numbers_out_of_sequence_wake_the_watcher(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    terminal = TerminalRef(store_id="S001", terminal_id="T1")

    def record(number: int) -> bool:
        with session_scope(engine) as session:
            return record_receipt(session, terminal, number, f"TX-{number}", T0)

    assert [record(number) for number in (10, 11, 13, 12, 12, 14)] == [
        False,  # the first number seen
        False,  # the next in sequence
        True,  # skips 12: opens a gap
        True,  # fills it
        False,  # seen already
        False,  # the next after 13
    ]
    with session_scope(engine) as session:
        assert sorted(receipts_seen(session, terminal)) == [10, 11, 12, 13, 14]
    engine.dispose()
