"""Start one workflow per stock event (transfer dispatch or receipt, purchase receipt), detect
duplicates, and optionally wait for how each settled."""

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
)

from activities.stock_store import StockSubmission
from domain.outcomes import Outcome, SyncStatus
from domain.stock_events import AnyStockEvent, StockEventType
from starter.intake.submission import SubmitResult, settled, start_once
from store.db import session_scope
from store.stock_events import StockEventKey, find_stock_claim
from workflows import search_attributes as attrs
from workflows.purchase_receipt import PurchaseReceiptWorkflow
from workflows.stock_event_run import StockEventRun
from workflows.transfers import TransferDispatchWorkflow, TransferReceiptWorkflow

WORKFLOW_TYPES: dict[StockEventType, Any] = {
    StockEventType.TRANSFER_DISPATCH: TransferDispatchWorkflow.run,
    StockEventType.TRANSFER_RECEIPT: TransferReceiptWorkflow.run,
    StockEventType.PURCHASE_RECEIPT: PurchaseReceiptWorkflow.run,
}
"""Each event type's workflow run method."""


def event_attributes(event: AnyStockEvent) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(attrs.STORE_ID, event.store_id),
            SearchAttributePair(attrs.TERMINAL_ID, event.terminal_id),
            SearchAttributePair(attrs.TXN_KIND, event.event_type.value),
            SearchAttributePair(
                attrs.BUSINESS_DATE,
                datetime.combine(event.business_date, datetime.min.time(), tzinfo=UTC),
            ),
            SearchAttributePair(attrs.SYNC_STAGE, "received"),
        ]
    )


class StockSubmitter:
    def __init__(self, client: Client, engine: Engine, task_queue: str) -> None:
        self._client = client
        self._engine = engine
        self._task_queue = task_queue

    async def submit(self, event: AnyStockEvent) -> tuple[SubmitResult, bool]:
        """Start the event's workflow. Returns the result and whether it is new."""
        if await asyncio.to_thread(self._claimed_in_store, event):
            return _duplicate(event), False
        started = await start_once(
            self._client,
            WORKFLOW_TYPES[event.event_type],
            StockSubmission(
                event=event, submission_id=uuid.uuid4().hex, submitted_at=datetime.now(UTC)
            ),
            workflow_id=event.workflow_id,
            task_queue=self._task_queue,
            search_attributes=event_attributes(event),
        )
        if not started:
            return _duplicate(event), False
        return SubmitResult(transaction_id=event.event_id, workflow_id=event.workflow_id), True

    def _claimed_in_store(self, event: AnyStockEvent) -> bool:
        key = StockEventKey(event.event_type.value, event.store_id, event.dedupe_key)
        with session_scope(self._engine) as session:
            return find_stock_claim(session, key) is not None

    async def submit_all(
        self, events: Sequence[AnyStockEvent], *, wait: bool
    ) -> list[SubmitResult]:
        """In order: a transfer's receipt that comes before its dispatch waits for it."""
        results = []
        for event in events:
            result, started = await self.submit(event)
            if wait and started:
                result = await wait_event_settled(self._client, event.workflow_id)
            results.append(result)
        return results


def _duplicate(event: AnyStockEvent) -> SubmitResult:
    return SubmitResult(
        transaction_id=event.event_id,
        workflow_id=event.workflow_id,
        outcome=Outcome.DUPLICATE,
        message="already submitted: counted, its stock not moved again",
    )


async def wait_event_settled(client: Client, workflow_id: str) -> SubmitResult:
    handle = client.get_workflow_handle(workflow_id, result_type=SyncStatus)
    return await settled(handle, StockEventRun.wait_settled)
