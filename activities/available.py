"""Available-to-sell, back to the tills: what a store can still sell of the items whose stock
moved, read from the ERP, kept for the tills' GET, and pushed to the store's webhook.

``StockChanges`` is the one way to say "stock changed for these items of this store": the
ERP activities call it after a reservation, a stock issue or a return, a stock event's
workflow (a transfer, a receipt) through its ``stock.stock_changed`` activity, and a ticket's
released reservation through ``stock.changed`` (workflows/stock_release.py). It signals
the store's ``AtsPublisher`` workflow (signal-with-start), which debounces and coalesces;
changes for a store that arrive while its signal is out go together in the next one.
"""

import asyncio
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio import activity
from temporalio.client import Client

from activities.heartbeat import heartbeating
from connectors.erp.base import ErpConnector
from connectors.tills.webhook import TillWebhooks
from domain.publication import AvailableDocument, AvailableQuantity, available_to_sell
from store.db import session_scope
from store.mappings import store_warehouse
from store.till_data import save_available

log = logging.getLogger(__name__)
ATS_WORKFLOW = "AtsPublisher"
ATS_SIGNAL = "stock_changed"


def ats_workflow_id(task_queue: str, store_id: str) -> str:
    """One publisher per store and task queue (a task queue books one company)."""
    return f"ats:{task_queue}:{store_id}"


class StockChange(BaseModel):
    store_id: str
    item_codes: list[str]


class AtsPublisherInput(BaseModel):
    store_id: str
    debounce_ms: int
    pending: list[str] = []


class StockChanges:
    def __init__(
        self, client: Client, task_queue: str, debounce_ms: int, stores: Collection[str]
    ) -> None:
        """``stores``: those whose tills are told (TILLSYNC_STORE_CHANNELS); changes of any
        other store are ignored."""
        self._stores = frozenset(stores)
        self._client = client
        self._task_queue = task_queue
        self._debounce_ms = debounce_ms
        self._pending: defaultdict[str, set[str]] = defaultdict(set)
        self._senders: dict[str, asyncio.Task[None]] = {}
        self._loop = asyncio.get_running_loop()

    def changed_from_thread(self, store_id: str, item_codes: Iterable[str]) -> None:
        """``changed`` for a synchronous activity, from its worker thread."""
        self._loop.call_soon_threadsafe(self.changed, store_id, list(item_codes))

    def changed(self, store_id: str, item_codes: Iterable[str]) -> None:
        """Note the change and return at once (the sale's own step does not wait for it)."""
        if store_id not in self._stores:
            return
        self._pending[store_id].update(item_codes)
        if store_id not in self._senders:
            self._senders[store_id] = asyncio.create_task(self._send_pending(store_id))

    async def signal(self, store_id: str, item_codes: Iterable[str]) -> None:
        """Signal the store's publisher now (starting it if it is not running)."""
        if store_id not in self._stores:
            return
        await self._client.start_workflow(
            ATS_WORKFLOW,
            AtsPublisherInput(store_id=store_id, debounce_ms=self._debounce_ms),
            id=ats_workflow_id(self._task_queue, store_id),
            task_queue=self._task_queue,
            start_signal=ATS_SIGNAL,
            start_signal_args=[sorted(set(item_codes))],
        )

    async def drain(self) -> None:
        """Wait until every noted change was signalled."""
        while self._senders:
            await asyncio.gather(*self._senders.values(), return_exceptions=True)

    async def _send_pending(self, store_id: str) -> None:
        try:
            while self._pending.get(store_id):
                codes = self._pending.pop(store_id)
                try:
                    await self.signal(store_id, codes)
                except Exception:
                    # Temporal unreachable: the codes wait for the store's next change.
                    log.exception("could not signal store %s's ATS publisher", store_id)
                    self._pending[store_id].update(codes)
                    return
        finally:
            self._senders.pop(store_id, None)


class AvailableActivities:
    def __init__(
        self,
        engine: Engine,
        connector: ErpConnector,
        webhooks: TillWebhooks,
        changes: StockChanges,
    ) -> None:
        self._engine = engine
        self._erp = connector
        self._webhooks = webhooks
        self._changes = changes

    @activity.defn(name="stock.changed")
    async def stock_changed(self, change: StockChange) -> None:
        await self._changes.signal(change.store_id, change.item_codes)

    @activity.defn(name="ats.publish")
    async def publish(self, change: StockChange) -> AvailableDocument:
        """Read the items' quantities from the ERP now (each retry reads them again, so what
        reaches the webhook is the newest), keep them for GET, then push them."""
        with session_scope(self._engine) as session:
            warehouse = store_warehouse(session, change.store_id)
        if warehouse is None:
            return AvailableDocument(store_id=change.store_id, quantities=[])
        async with heartbeating():
            levels = await self._erp.stock_levels(change.item_codes, warehouse)
        now = datetime.now(UTC)
        quantities = [
            AvailableQuantity(
                item_code=level.product_code, available=available_to_sell(level), read_at=now
            )
            for level in levels
        ]
        document = AvailableDocument(store_id=change.store_id, quantities=quantities)
        with session_scope(self._engine) as session:
            save_available(session, change.store_id, quantities)
        if quantities and self._webhooks.has_webhook(change.store_id):
            await self._webhooks.send(
                change.store_id, "available", document.model_dump(mode="json")
            )
        return document
