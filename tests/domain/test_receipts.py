"""Receipt gaps are ranges: a jump of millions of numbers costs one range, and is its own kind."""

import time
from datetime import UTC, datetime, timedelta

from domain.receipts import (
    MAX_LISTED_RANGES,
    MAX_PLAUSIBLE_GAP,
    GapReview,
    ReceiptGap,
    ReceiptRange,
    missing_ranges,
    review_receipts,
)

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def span(first: int, last: int) -> ReceiptRange:
    return ReceiptRange(first=first, last=last)


def test_missing_ranges_between_lowest_and_highest() -> None:
    assert missing_ranges([1004, 1001, 1002, 1007, 1002]) == [span(1003, 1003), span(1005, 1006)]
    assert missing_ranges([5]) == []
    assert missing_ranges([]) == []


def test_gap_description_folds_runs() -> None:
    gap = ReceiptGap(store_id="S1", terminal_id="T1", missing=[3, 5, 6, 7, 9])
    assert gap.missing == [span(3, 3), span(5, 5), span(6, 6), span(7, 7), span(9, 9)]
    gap = ReceiptGap(store_id="S1", terminal_id="T1", missing=[span(3, 3), span(5, 7), span(9, 9)])
    assert gap.describe() == "store S1 terminal T1: missing 3, 5-7, 9"
    assert gap.missing_count == 5


def test_receipts_1_and_10_million_are_one_jump_not_ten_million_numbers() -> None:
    began = time.perf_counter()

    review = review_receipts({1: T0, 10**7: T0}, now=T0 + timedelta(days=9), grace=timedelta(0))
    huge = review_receipts({1: T0, 2**40: T0}, now=T0, grace=timedelta(0))

    assert time.perf_counter() - began < 1
    assert (review.missing, review.overdue, review.next_due) == ([], [], None)
    assert review.jumps == [span(2, 10**7 - 1)]
    assert huge.jumps == [span(2, 2**40 - 1)] and huge.missing == []


def test_a_gap_of_the_plausible_size_is_a_gap_and_one_more_is_a_jump() -> None:
    widest = review_receipts({1: T0, MAX_PLAUSIBLE_GAP + 2: T0}, now=T0, grace=timedelta(0))
    too_wide = review_receipts({1: T0, MAX_PLAUSIBLE_GAP + 3: T0}, now=T0, grace=timedelta(0))

    assert widest.overdue == [span(2, MAX_PLAUSIBLE_GAP + 1)] and widest.jumps == []
    assert too_wide.overdue == [] and too_wide.jumps == [span(2, MAX_PLAUSIBLE_GAP + 2)]


def test_a_description_lists_a_bounded_number_of_ranges() -> None:
    ranges = [span(number, number) for number in range(1, 2 * MAX_LISTED_RANGES * 2, 2)]

    text = ReceiptGap(store_id="S1", terminal_id="T1", missing=ranges).describe()

    assert text.endswith(f"and {len(ranges) - MAX_LISTED_RANGES} more ranges")
    assert text.count(",") == MAX_LISTED_RANGES - 1


def test_a_review_recorded_by_an_earlier_version_still_reads() -> None:
    recorded = {"missing": [3, 5, 6], "overdue": [3], "next_due": None}

    review = GapReview.model_validate(recorded)

    assert review.missing == [span(3, 3), span(5, 5), span(6, 6)]
    assert review.jumps == []
