"""Receipt-number gaps: a terminal's sequence that skips numbers means tickets never arrived.

Reconciliation lists every missing number of a store-day. The gap watcher raises a number as
an exception only once it is overdue: a missing number is noticed when a higher number of the
same terminal arrives, and is overdue once the grace period has passed since then (tills that
come back online send late tickets, and live ingest may deliver a terminal's tickets out of
order).
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field


class ReceiptGap(BaseModel):
    store_id: str
    terminal_id: str
    missing: list[int]

    def describe(self) -> str:
        return f"store {self.store_id} terminal {self.terminal_id}: missing " + ", ".join(
            _ranges(self.missing)
        )


def missing_receipts(seen: Iterable[int]) -> list[int]:
    """Numbers absent between the lowest and highest receipt seen (resets are not gaps)."""
    numbers = sorted(set(seen))
    return [
        number for previous, current in pairwise(numbers) for number in range(previous + 1, current)
    ]


def _ranges(numbers: list[int]) -> list[str]:
    spans: list[str] = []
    start = end = None
    for number in [*numbers, None]:
        if number is not None and end is not None and number == end + 1:
            end = number
            continue
        if start is not None:
            spans.append(str(start) if start == end else f"{start}-{end}")
        start = end = number
    return spans


class TerminalRef(BaseModel):
    """One terminal of one store: the scope of a receipt-number sequence."""

    model_config = ConfigDict(frozen=True)

    store_id: str
    terminal_id: str

    @property
    def watcher_id(self) -> str:
        """The id of the workflow that watches this terminal's gaps."""
        return f"receipt-gaps-{self.store_id}-{self.terminal_id}"


class GapReview(BaseModel):
    """Where a terminal's receipt sequence stands at one moment."""

    missing: list[int] = Field(description="every number absent between the lowest and highest")
    overdue: list[int] = Field(description="the missing numbers older than the grace period")
    next_due: datetime | None = Field(
        description="when the next missing number that is not yet overdue becomes overdue"
    )


def review_receipts(seen: Mapping[int, datetime], *, now: datetime, grace: timedelta) -> GapReview:
    """Missing numbers, which of them are overdue at ``now``, and when the next one will be.

    ``seen`` maps each receipt number received to when it was received.
    """
    numbers = sorted(seen)
    overdue: list[int] = []
    due_dates: list[datetime] = []
    noticed: datetime | None = None
    # Walk down from the highest number: every number missing below a received one was
    # noticed at the earliest arrival of any higher number.
    for higher, lower in zip(reversed(numbers), reversed(numbers[:-1]), strict=False):
        arrived = seen[higher]
        noticed = arrived if noticed is None else min(noticed, arrived)
        span = list(range(lower + 1, higher))
        if not span:
            continue
        due = noticed + grace
        if due <= now:
            overdue[:0] = span
        else:
            due_dates.append(due)
    return GapReview(
        missing=missing_receipts(numbers),
        overdue=overdue,
        next_due=min(due_dates) if due_dates else None,
    )
