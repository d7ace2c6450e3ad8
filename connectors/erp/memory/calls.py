"""What MemoryErp's groups of calls share: each call counted, delayed and faulted alike."""

from collections.abc import Callable
from typing import TypeVar

ResultT = TypeVar("ResultT")


class MemoryCalls:
    """A group of MemoryErp's calls, mixed into it; MemoryErp provides ``_call``."""

    async def _call(
        self, step: str, reference: str | None, effect: Callable[[], ResultT]
    ) -> ResultT:
        raise NotImplementedError
