"""Receipt-number gaps: a terminal's sequence that skips numbers means tickets never arrived.

Gaps are ranges of numbers (``ReceiptRange``), never lists of every number: a terminal that
jumps from receipt 1 to receipt 10,000,000 costs one range, not ten million numbers. A range
wider than ``MAX_PLAUSIBLE_GAP`` is not tickets that went missing but the till's numbering
jumping (a reset, a reconfigured till): it is reported as a jump, its own exception, and is
not waited for. Descriptions list at most ``MAX_LISTED_RANGES`` ranges.

Reconciliation lists the missing ranges of a store-day. The gap watcher raises a gap as an
exception only once it is overdue: a missing number is noticed when a higher number of the
same terminal arrives, and is overdue once the grace period has passed since then (tills that
come back online send late tickets, and live ingest may deliver a terminal's tickets out of
order). A jump is raised as soon as it is seen.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

MAX_PLAUSIBLE_GAP = 10_000
MAX_LISTED_RANGES = 100


class ReceiptRange(BaseModel):
    """Receipt numbers ``first`` to ``last``, both included."""

    model_config = ConfigDict(frozen=True)

    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def implausible(self) -> bool:
        return self.count > MAX_PLAUSIBLE_GAP

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def _number_as_range(value: Any) -> Any:
    """Lists of single numbers (earlier versions, recorded histories) read as ranges."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"first": value, "last": value}
    return value


Ranges = list[Annotated[ReceiptRange, BeforeValidator(_number_as_range)]]


def count_of(ranges: Iterable[ReceiptRange]) -> int:
    return sum(span.count for span in ranges)


def describe_ranges(ranges: list[ReceiptRange]) -> str:
    listed = ", ".join(str(span) for span in ranges[:MAX_LISTED_RANGES])
    more = len(ranges) - MAX_LISTED_RANGES
    return listed + (f" and {more} more ranges" if more > 0 else "")


class ReceiptGap(BaseModel):
    store_id: str
    terminal_id: str
    missing: Ranges = Field(description="plausible gaps: tickets that never arrived")
    jumps: Ranges = Field(default_factory=list, description="the numbering jumping, not tickets")

    @property
    def missing_count(self) -> int:
        return count_of(self.missing)

    def describe(self) -> str:
        parts = [f"missing {describe_ranges(self.missing)}"] if self.missing else []
        if self.jumps:
            parts.append(f"numbering jumps over {describe_ranges(self.jumps)}")
        return f"store {self.store_id} terminal {self.terminal_id}: " + "; ".join(parts)


def missing_ranges(seen: Iterable[int]) -> list[ReceiptRange]:
    """Ranges absent between the lowest and highest receipt seen (resets are not gaps)."""
    numbers = sorted(set(seen))
    return [
        ReceiptRange(first=previous + 1, last=current - 1)
        for previous, current in pairwise(numbers)
        if current - previous > 1
    ]


def split_jumps(ranges: Iterable[ReceiptRange]) -> tuple[list[ReceiptRange], list[ReceiptRange]]:
    """(plausible gaps, implausible jumps)."""
    ranges = list(ranges)
    return (
        [span for span in ranges if not span.implausible],
        [span for span in ranges if span.implausible],
    )


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

    missing: Ranges = Field(description="every plausible gap between the lowest and highest")
    overdue: Ranges = Field(description="the gaps older than the grace period")
    jumps: Ranges = Field(default_factory=list, description="implausible jumps, raised at once")
    next_due: datetime | None = Field(
        description="when the next gap that is not yet overdue becomes overdue"
    )


def review_receipts(seen: Mapping[int, datetime], *, now: datetime, grace: timedelta) -> GapReview:
    """Gaps and jumps, which gaps are overdue at ``now``, and when the next one will be.

    ``seen`` maps each receipt number received to when it was received.
    """
    numbers = sorted(seen)
    missing: list[ReceiptRange] = []
    overdue: list[ReceiptRange] = []
    jumps: list[ReceiptRange] = []
    due_dates: list[datetime] = []
    noticed: datetime | None = None
    # Walk down from the highest number: every number missing below a received one was
    # noticed at the earliest arrival of any higher number.
    for higher, lower in zip(reversed(numbers), reversed(numbers[:-1]), strict=False):
        arrived = seen[higher]
        noticed = arrived if noticed is None else min(noticed, arrived)
        if higher - lower <= 1:
            continue
        span = ReceiptRange(first=lower + 1, last=higher - 1)
        if span.implausible:
            jumps.append(span)
            continue
        missing.append(span)
        due = noticed + grace
        if due <= now:
            overdue.append(span)
        else:
            due_dates.append(due)
    return GapReview(
        missing=missing[::-1],
        overdue=overdue[::-1],
        jumps=jumps[::-1],
        next_due=min(due_dates) if due_dates else None,
    )
