"""Reservations batched per warehouse: a store's tickets that arrive together share one ERP call.

Group commit: the first reservation for a warehouse waits the batching window (zero: none),
then goes with whatever has queued behind it; reservations that arrive while that call is out
queue up and go together as soon as it returns. A quiet store pays at most the window; a busy
one sends one call per round trip, however many tills ring at once. Each order keeps its own
outcome: one ticket's refusal never fails the others of its batch.
"""

import asyncio

from connectors.erp.base import ErpConnector, ReserveOutcome, ReserveRequest
from domain.erp_order import ErpOrderRefs

_Pending = tuple[ReserveRequest, "asyncio.Future[ErpOrderRefs]"]


class ReservationBatcher:
    def __init__(
        self,
        connector: ErpConnector,
        erp_calls: asyncio.Semaphore,
        window_seconds: float,
        max_batch: int,
    ) -> None:
        self._erp = connector
        self._erp_calls = erp_calls
        self._window = window_seconds
        self._max_batch = max_batch
        self._queues: dict[str, list[_Pending]] = {}
        self._senders: dict[str, asyncio.Task[None]] = {}

    async def reserve(self, request: ReserveRequest) -> ErpOrderRefs:
        warehouse = request.order.warehouse_code
        future: asyncio.Future[ErpOrderRefs] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(warehouse, []).append((request, future))
        if warehouse not in self._senders:
            self._senders[warehouse] = asyncio.create_task(self._send(warehouse))
        return await future

    async def _send(self, warehouse: str) -> None:
        try:
            if self._window:
                await asyncio.sleep(self._window)
            while queue := self._queues.pop(warehouse, []):
                batch, rest = queue[: self._max_batch], queue[self._max_batch :]
                if rest:
                    self._queues[warehouse] = rest
                _settle(batch, await self._reserve_many([request for request, _ in batch]))
        finally:
            del self._senders[warehouse]

    async def _reserve_many(self, requests: list[ReserveRequest]) -> list[ReserveOutcome]:
        try:
            async with self._erp_calls:
                outcomes = await self._erp.reserve_many(requests)
        except Exception as error:  # the whole call failed: each ticket retries on its own
            return [error] * len(requests)
        if len(outcomes) != len(requests):
            mismatch = RuntimeError(f"{len(outcomes)} outcomes for {len(requests)} reservations")
            return [mismatch] * len(requests)
        return outcomes


def _settle(batch: list[_Pending], outcomes: list[ReserveOutcome]) -> None:
    for (_, future), outcome in zip(batch, outcomes, strict=True):
        if future.done():  # the activity waiting for it was cancelled
            continue
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
