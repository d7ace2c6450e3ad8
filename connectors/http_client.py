"""The HTTP client of the connectors: httpx, with requests that a cancellation cannot tear.

httpcore 1.0.9 (the last httpx release's) loses track of a connection when the task sending a
request on it is cancelled at the wrong moment (encode/httpcore#1093): between opening the
connection and sending the request, the connection stays open for good, neither idle nor in
use, and the server, which accepted it, waits for a request that never comes (a gunicorn sync
worker of Tryton then serves nobody until gunicorn kills it as silent, five minutes by
default); while the answer is read, the pool keeps the slot, and a long-running worker runs out
of them. The worker cancels requests routinely (a local reservation attempt that takes too
long, a cancelled activity), so here a cancelled caller returns at once while its request goes
on to its answer, or to the client's timeout, and lets go of its connection cleanly.
"""

import asyncio
import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)


class UntornClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` whose requests (unless streamed: the caller closes those) run
    each in a task of its own that a cancelled caller leaves to finish."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._abandoned: set[asyncio.Task[httpx.Response]] = set()

    async def send(
        self, request: httpx.Request, *, stream: bool = False, **options: Any
    ) -> httpx.Response:
        if stream:
            return await super().send(request, stream=True, **options)
        sending = asyncio.create_task(super().send(request, **options))
        try:
            return await asyncio.shield(sending)
        except asyncio.CancelledError:
            self._abandoned.add(sending)
            sending.add_done_callback(self._forget)
            raise

    def _forget(self, sending: "asyncio.Task[httpx.Response]") -> None:
        self._abandoned.discard(sending)
        if not sending.cancelled() and (error := sending.exception()) is not None:
            log.debug("a request whose caller was cancelled ended in %r", error)

    @property
    def abandoned(self) -> int:
        """Requests whose caller was cancelled, still going."""
        return len(self._abandoned)

    async def aclose(self) -> None:
        """Close the connections, those of abandoned requests included."""
        for sending in list(self._abandoned):
            sending.cancel()
        await super().aclose()
