"""ERP steps batched: tickets that arrive together share one ERP call (their reservations in
one, their stock issues in another), a store's always in the same lane.

Group commit per lane: the warehouses are dealt over a fixed number of lanes, and a lane has
one call out at a time. The first item for a lane waits the batching window (zero: none), then
goes with whatever has queued behind it; items that arrive while that call is out queue up
and go together as soon as it returns. A quiet store pays at most the window; a busy chain
sends one call per round trip and lane, however many tills ring at once. One lane suits an ERP
that answers one request at a time (the SQLite sandbox: a call's fixed cost is paid once for
all the chain's stores); more lanes let a multi-process ERP work on several batches at once,
while a warehouse's own tickets never race each other for its stock rows. Each order keeps its
own outcome: one ticket's refusal never fails the others of its batch.

An order submitted again under the same key while its first submission is queued or out (a
local attempt that gave up waiting, retried as an activity on the same worker) waits for that
one's outcome instead of sending the order twice; the attempt that gave up does not withdraw
it.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Generic, TypeVar

from domain.erp_order import ErpOrderRefs

ItemT = TypeVar("ItemT")
Outcome = ErpOrderRefs | Exception
_Pending = tuple[ItemT, "asyncio.Future[ErpOrderRefs]"]


class ErpBatcher(Generic[ItemT]):
    def __init__(
        self,
        send_many: Callable[[list[ItemT]], Awaitable[Sequence[Outcome]]],
        erp_calls: asyncio.Semaphore,
        window_seconds: float,
        max_batch: int,
        lanes: int = 1,
    ) -> None:
        """``send_many``: the connector's batched call, one outcome per item, in order."""
        self._send_many = send_many
        self._lanes = lanes
        self._lane_of: dict[str, int] = {}
        """Each warehouse in the lane it was first given, in turn: an even spread."""
        self._erp_calls = erp_calls
        self._window = window_seconds
        self._max_batch = max_batch
        self._queues: dict[int, list[_Pending[ItemT]]] = {}
        self._senders: dict[int, asyncio.Task[None]] = {}
        self._unsettled: dict[str, asyncio.Future[ErpOrderRefs]] = {}

    async def submit(self, warehouse: str, item: ItemT, key: str) -> ErpOrderRefs:
        """The item's outcome; ``key`` names the order (its ERP reference)."""
        future = self._unsettled.get(key)
        if future is None:
            future = self._unsettled[key] = asyncio.get_running_loop().create_future()
            future.add_done_callback(partial(self._forget, key))
            lane = self._lane_of.setdefault(warehouse, len(self._lane_of) % self._lanes)
            self._queues.setdefault(lane, []).append((item, future))
            if lane not in self._senders:
                self._senders[lane] = asyncio.create_task(self._send(lane))
        return await asyncio.shield(future)

    def _forget(self, key: str, settled: "asyncio.Future[ErpOrderRefs]") -> None:
        """Settled: a later submission under ``key`` sends again. A failure whose submitter
        gave up is read here, so that asyncio does not report it as never retrieved."""
        self._unsettled.pop(key, None)
        if not settled.cancelled():
            settled.exception()

    async def _send(self, lane: int) -> None:
        try:
            if self._window:
                await asyncio.sleep(self._window)
            while queue := self._queues.pop(lane, []):
                batch, rest = queue[: self._max_batch], queue[self._max_batch :]
                if rest:
                    self._queues[lane] = rest
                _settle(batch, await self._call([item for item, _ in batch]))
        finally:
            del self._senders[lane]

    async def _call(self, items: list[ItemT]) -> Sequence[Outcome]:
        try:
            async with self._erp_calls:
                outcomes = await self._send_many(items)
        except Exception as error:  # the whole call failed: each ticket retries on its own
            return [error] * len(items)
        if len(outcomes) != len(items):
            mismatch = RuntimeError(f"{len(outcomes)} outcomes for {len(items)} orders")
            return [mismatch] * len(items)
        return outcomes


def _settle(batch: list[_Pending[ItemT]], outcomes: Sequence[Outcome]) -> None:
    for (_, future), outcome in zip(batch, outcomes, strict=True):
        if future.done():  # the activity waiting for it was cancelled
            continue
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
