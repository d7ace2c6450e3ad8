"""Returns: find the original sales a return points at, in the store's journal, and wake the
returns that wait for a sale once it is posted (store/original_waiters.py)."""

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy import Engine
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError

from domain.outcomes import Outcome
from domain.transaction import PosTransaction
from store.db import session_scope
from store.journal import find_original
from store.original_waiters import wait_for_originals

log = logging.getLogger(__name__)
ORIGINAL_POSTED = "original_posted"
"""The signal a waiting return's run gets when a sale it waits for is journaled posted."""


class OriginalsLookup(BaseModel):
    """For each original transaction id a return refers to: its final ERP reference, or
    nothing yet (not arrived, or not posted: an offline till may replay out of order)."""

    references: dict[str, str] = Field(default_factory=dict)
    pending: list[str] = Field(default_factory=list)


class ReturnActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="returns.find_originals")
    def find_originals(self, txn: PosTransaction) -> OriginalsLookup:
        """The originals' references; the run is noted as waiting for those still pending."""
        lookup = OriginalsLookup()
        wanted = {
            (line.return_of.transaction_id, line.return_of.store_id, line.return_of.terminal_id)
            for line in txn.lines
            if line.return_of is not None
        }
        waited: list[tuple[str, str]] = []
        with session_scope(self._engine) as session:
            for transaction_id, store_id, terminal_id in sorted(wanted, key=str):
                entry = find_original(
                    session, transaction_id, store_id or txn.store_id, terminal_id
                )
                if entry and entry.outcome == Outcome.POSTED.value and entry.erp_reference:
                    lookup.references[transaction_id] = entry.erp_reference
                else:
                    lookup.pending.append(transaction_id)
                    waited.append((store_id or txn.store_id, transaction_id))
            if waiter := activity.info().workflow_id:
                wait_for_originals(session, waiter, waited, datetime.now(UTC))
        return lookup


class ReturnWakeups:
    """Signals the runs waiting for a sale just journaled posted; a run that has ended since
    (or never took the signal) is left alone."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._loop = asyncio.get_running_loop()
        self._signals: set[asyncio.Task[None]] = set()

    def posted_from_thread(self, waiter_workflow_ids: Sequence[str]) -> None:
        """From a synchronous activity's thread: signal them, and return at once."""
        if waiter_workflow_ids:
            self._loop.call_soon_threadsafe(self._wake, list(waiter_workflow_ids))

    def _wake(self, waiter_workflow_ids: list[str]) -> None:
        for workflow_id in waiter_workflow_ids:
            task = asyncio.create_task(self._signal(workflow_id))
            self._signals.add(task)
            task.add_done_callback(self._signals.discard)

    async def _signal(self, workflow_id: str) -> None:
        try:
            await self._client.get_workflow_handle(workflow_id).signal(ORIGINAL_POSTED)
        except RPCError as error:  # ended meanwhile: its recheck or its deadline settled it
            log.info("return %s not woken: %s", workflow_id, error.message)
