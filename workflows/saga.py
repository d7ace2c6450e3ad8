"""A last-in-first-out stack of compensations for a saga.

A compensation is registered before its step runs: the step's activity may time out after it
took effect in the ERP, and every compensation is idempotent (it undoes only what is there).
"""

import asyncio
from collections.abc import Awaitable, Callable

Compensation = Callable[[], Awaitable[None]]


class Compensations:
    def __init__(self, *, shielded: bool = False) -> None:
        """``shielded``: a cancel waits for every compensation (patch shielded-compensations);
        without it, as before that patch, a cancel stops the undoing where it is."""
        self._stack: list[Compensation] = []
        self._shielded = shielded

    def register(self, compensation: Compensation) -> None:
        self._stack.append(compensation)

    async def run(self) -> None:
        """Undo everything registered, newest first, even if the workflow is being cancelled:
        a cancel that arrives meanwhile waits until every compensation ran, then is raised."""
        cancelled: asyncio.CancelledError | None = None
        while self._stack:
            undo = asyncio.ensure_future(self._stack.pop()())
            while True:
                try:
                    await asyncio.shield(undo)
                    break
                except asyncio.CancelledError as error:
                    if undo.cancelled() or not self._shielded:
                        raise
                    cancelled = error
        if cancelled is not None:
            raise cancelled
