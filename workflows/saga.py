"""A last-in-first-out stack of compensations for a saga.

A compensation is registered before its step runs: the step's activity may time out after it
took effect in the ERP, and every compensation is idempotent (it undoes only what is there).
"""

import asyncio
from collections.abc import Awaitable, Callable

Compensation = Callable[[], Awaitable[None]]


class Compensations:
    def __init__(self) -> None:
        self._stack: list[Compensation] = []

    def register(self, compensation: Compensation) -> None:
        self._stack.append(compensation)

    def clear(self) -> None:
        self._stack.clear()

    async def run(self) -> None:
        """Undo everything registered, newest first, even if the workflow is being cancelled."""
        while self._stack:
            compensation = self._stack.pop()
            await asyncio.shield(asyncio.ensure_future(compensation()))
