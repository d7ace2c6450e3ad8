"""Start one workflow per transaction, detect duplicates, and optionally wait for outcomes."""

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.common import (
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from domain.erp_order import ErpOrderRefs
from domain.outcomes import Outcome, Submission, SyncStatus
from domain.transaction import PosTransaction
from observability.metrics import TICKETS
from starter.intake.loading import LoadedFile
from store.claims import ClaimKey, is_claimed, record_duplicate
from store.db import session_scope
from workflows import patches
from workflows.pos_transaction import PosTransactionWorkflow
from workflows.search_attributes import initial_attributes


class SubmitResult(BaseModel):
    """One line of ``tillsync submit --json``."""

    transaction_id: str
    workflow_id: str
    outcome: Outcome | None = None
    stage: str | None = None
    erp: ErpOrderRefs | None = None
    exception_kind: str | None = None
    message: str | None = None
    errors: list[str] | None = None

    @classmethod
    def from_status(cls, status: SyncStatus) -> "SubmitResult":
        return cls(
            transaction_id=status.transaction_id,
            workflow_id=status.workflow_id,
            outcome=status.outcome,
            stage=status.stage.value,
            erp=status.erp,
            exception_kind=status.failure.kind.value if status.failure else None,
            message=status.failure.message if status.failure else None,
        )


class Submitter:
    def __init__(self, client: Client, engine: Engine, task_queue: str) -> None:
        self._client = client
        self._engine = engine
        self._task_queue = task_queue

    async def submit(self, txn: PosTransaction) -> tuple[SubmitResult, bool]:
        """Start the transaction's workflow. Returns the result and whether it is new."""
        if await asyncio.to_thread(self._claimed_in_store, txn):
            await asyncio.to_thread(self._record_duplicate, txn)
            return self._duplicate(txn), False
        started = await start_once(
            self._client,
            PosTransactionWorkflow.run,
            Submission(
                transaction=txn,
                submission_id=uuid.uuid4().hex,
                submitted_at=datetime.now(UTC),
                patch_bundle=patches.NEWEST_BUNDLE,
            ),
            workflow_id=txn.workflow_id,
            task_queue=self._task_queue,
            search_attributes=initial_attributes(txn),
        )
        if not started:
            await asyncio.to_thread(self._record_duplicate, txn)
            return self._duplicate(txn), False
        return SubmitResult(transaction_id=txn.transaction_id, workflow_id=txn.workflow_id), True

    def _claimed_in_store(self, txn: PosTransaction) -> bool:
        """The store remembers transactions after Temporal's retention forgot their ids."""
        with session_scope(self._engine) as session:
            return is_claimed(session, _claim_key(txn))

    def _record_duplicate(self, txn: PosTransaction) -> None:
        TICKETS.labels(txn.store_id, Outcome.DUPLICATE.value).inc()
        with session_scope(self._engine) as session:
            record_duplicate(
                session, _claim_key(txn), txn.workflow_id, datetime.now(UTC), detected_by="starter"
            )

    @staticmethod
    def _duplicate(txn: PosTransaction) -> SubmitResult:
        return SubmitResult(
            transaction_id=txn.transaction_id,
            workflow_id=txn.workflow_id,
            outcome=Outcome.DUPLICATE,
            message="already submitted: counted, not posted again",
        )

    async def submit_all(
        self, transactions: Sequence[PosTransaction], *, wait: bool, concurrency: int = 16
    ) -> list[SubmitResult]:
        limit = asyncio.Semaphore(concurrency)

        async def one(txn: PosTransaction) -> SubmitResult:
            async with limit:
                result, started = await self.submit(txn)
            if wait and started:
                return await wait_settled(self._client, txn.workflow_id)
            return result

        return list(await asyncio.gather(*(one(txn) for txn in transactions)))


def _claim_key(txn: PosTransaction) -> ClaimKey:
    return ClaimKey(txn.store_id, txn.terminal_id, txn.transaction_id)


async def start_once(
    client: Client,
    run: Any,
    argument: Any,
    *,
    workflow_id: str,
    task_queue: str,
    search_attributes: TypedSearchAttributes,
) -> bool:
    """Start the run under its id, unless a run ever had that id: False then (a duplicate)."""
    try:
        await client.start_workflow(
            run,
            argument,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=search_attributes,
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


async def wait_settled(client: Client, workflow_id: str) -> SubmitResult:
    """Wait until the run posted, parked, or otherwise settled, and say how."""
    handle = client.get_workflow_handle(workflow_id, result_type=SyncStatus)
    return await settled(handle, PosTransactionWorkflow.wait_settled)


async def settled(handle: WorkflowHandle[Any, SyncStatus], wait_update: Any) -> SubmitResult:
    """How the run settled, through its ``wait_update`` update while it runs."""
    try:
        status = await handle.execute_update(wait_update)
    except RPCError:
        # The run already finished (an update needs a running workflow): read its result.
        try:
            status = await handle.result()
        except WorkflowFailureError as error:
            return SubmitResult(
                transaction_id=handle.id, workflow_id=handle.id, message=str(error.cause)
            )
    return SubmitResult.from_status(status)


def rejected_results(loaded: Iterable[LoadedFile]) -> list[SubmitResult]:
    """One result per invalid payload, naming each field and reason."""
    return [
        SubmitResult(
            transaction_id=reject.transaction_id or f"{item.path.name}#{reject.source_index}",
            workflow_id="",
            outcome=Outcome.REJECTED,
            errors=[f"{error.field}: {error.reason}" for error in reject.errors],
        )
        for item in loaded
        for reject in item.rejects
    ]
