"""Small helpers the end-to-end tests share: unique ids, waiting, reading the ERP's books."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from temporalio.client import Client, WorkflowHandle

from connectors.erp.tryton import TrytonConnector, TrytonRest
from domain.outcomes import Submission, SyncStage, SyncStatus
from domain.transaction import PosTransaction
from starter.intake.submission import SubmitResult, Submitter, wait_settled
from workflows.pos_transaction import PosTransactionWorkflow
from workflows.search_attributes import initial_attributes


def new_id(prefix: str = "TX") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def submit_and_wait(
    submitter: Submitter, client: Client, txn: PosTransaction
) -> SubmitResult:
    result, started = await submitter.submit(txn)
    assert started, f"{txn.workflow_id} did not start: {result}"
    return await wait_settled(client, txn.workflow_id)


async def start_directly(
    client: Client, txn: PosTransaction, task_queue: str, **submission: Any
) -> WorkflowHandle[Any, SyncStatus]:
    """Start ``txn``'s run without the Submitter, as another starter would: ``submission``
    sets the Submission's other fields (its deadline for an original, its patch bundle)."""
    return await client.start_workflow(
        PosTransactionWorkflow.run,
        Submission(
            transaction=txn,
            submission_id=uuid.uuid4().hex,
            submitted_at=datetime.now(UTC),
            **submission,
        ),
        id=txn.workflow_id,
        task_queue=task_queue,
        search_attributes=initial_attributes(txn),
    )


async def start_waiting_for_original(
    client: Client, refund: PosTransaction, original_wait: timedelta, task_queue: str
) -> None:
    """Start ``refund``'s run directly, waiting ``original_wait`` for its original ticket."""
    await start_directly(client, refund, task_queue, original_wait=original_wait)


async def status_of(client: Client, workflow_id: str) -> SyncStatus:
    return await client.get_workflow_handle(workflow_id).query(PosTransactionWorkflow.status)


async def wait_for_stage(
    client: Client, workflow_id: str, stages: set[SyncStage], within: float = 60.0
) -> SyncStatus:
    async with asyncio.timeout(within):
        while True:
            try:
                status = await status_of(client, workflow_id)
                if status.stage in stages:
                    return status
            except Exception:
                pass
            await asyncio.sleep(0.05)


async def stock(connector: TrytonConnector, code: str, warehouse: str = "WH-LON") -> Decimal:
    return (await connector.stock_level(code, warehouse)).on_hand


async def sales_with_reference(rest: TrytonRest, reference: str) -> list[dict[str, Any]]:
    return await rest.search(
        "sale.sale", [("reference", "=", reference)], ["id", "state", "invoices.state"]
    )
