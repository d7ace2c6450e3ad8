"""The ERP's accounting periods, cached per day for a short while.

Every ticket asks which period its business date falls in; a store's tickets share a date and
periods change a few times a month. A close run by this worker drops the cache at once; a
change made elsewhere (a reopen from the CLI, a close in the ERP) is seen within the TTL. A
re-dating decision can therefore lag a reopen by the TTL, never a closing mark: those are read
from the store on every ticket.
"""

import asyncio
import time
from collections.abc import Callable
from datetime import date
from typing import Protocol

from domain.periods import ErpPeriod


class PeriodSource(Protocol):
    async def periods_from(self, day: date) -> list[ErpPeriod]: ...


class CachedPeriods:
    def __init__(
        self, books: PeriodSource, ttl_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._books = books
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[date, tuple[float, asyncio.Task[list[ErpPeriod]]]] = {}

    async def periods_from(self, day: date) -> list[ErpPeriod]:
        """Concurrent callers for one day share a single ERP call; a failed call is not kept."""
        now = self._clock()
        entry = self._entries.get(day)
        if entry is None or entry[0] <= now or (entry[1].done() and entry[1].exception()):
            entry = (now + self._ttl, asyncio.ensure_future(self._books.periods_from(day)))
            self._entries[day] = entry
        return await asyncio.shield(entry[1])

    def invalidate(self) -> None:
        self._entries.clear()
