"""Receipt-number gaps: a terminal's sequence that skips numbers means tickets never arrived."""

from collections.abc import Iterable
from itertools import pairwise

from pydantic import BaseModel


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
