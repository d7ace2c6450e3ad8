"""Operator actions on runs: list them by stage and store, retry or abandon parked ones.

Retry and abandon go to the run as updates, so the operator hears what happened: the run's
reply, or why it refused (``not parked: stage posting``, ``not parked: the run has ended``)."""

from collections.abc import AsyncIterator
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from domain.operator import OperatorAction, OperatorReply, RetryRequest
from domain.outcomes import SyncStatus
from domain.transaction import PosTransaction
from workflows import search_attributes as attrs
from workflows.pos_transaction import PosTransactionWorkflow

ArgT = TypeVar("ArgT")


class RunSummary(BaseModel):
    workflow_id: str
    store_id: str | None
    terminal_id: str | None
    kind: str | None
    stage: str | None
    exception_kind: str | None
    status: str


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


RUN_TYPES = ("PosTransaction", "TransferDispatch", "TransferReceipt", "PurchaseReceipt")
"""The workflows an operator finds, retries and abandons: tickets and stock events (the same
``status`` query and ``retry_parked``/``abandon_parked`` updates)."""


def runs_query(stage: str | None = None, store_id: str | None = None) -> str:
    clauses = [f"WorkflowType IN ({', '.join(_quote(name) for name in RUN_TYPES)})"]
    if stage:
        clauses.append(f"SyncStage = {_quote(stage)}")
    if store_id:
        clauses.append(f"StoreId = {_quote(store_id)}")
    return " AND ".join(clauses)


async def list_runs(
    client: Client, *, stage: str | None = None, store_id: str | None = None
) -> AsyncIterator[RunSummary]:
    async for execution in client.list_workflows(runs_query(stage, store_id)):
        found = execution.typed_search_attributes
        yield RunSummary(
            workflow_id=execution.id,
            store_id=found.get(attrs.STORE_ID),
            terminal_id=found.get(attrs.TERMINAL_ID),
            kind=found.get(attrs.TXN_KIND),
            stage=found.get(attrs.SYNC_STAGE),
            exception_kind=found.get(attrs.EXCEPTION_KIND),
            status=execution.status.name if execution.status else "UNKNOWN",
        )


async def retry_run(
    client: Client, workflow_id: str, note: str = "", amended: PosTransaction | None = None
) -> OperatorReply:
    """Ask a parked run to run its stage again; the reply says what it does, or why not."""
    request = RetryRequest(note=note, amended=amended)
    return await _ask(
        client, workflow_id, OperatorAction.RETRY, PosTransactionWorkflow.retry_parked, request
    )


async def abandon_run(client: Client, workflow_id: str, reason: str) -> OperatorReply:
    """Ask a parked run to give its transaction up; the reply says what it does, or why not."""
    return await _ask(
        client, workflow_id, OperatorAction.ABANDON, PosTransactionWorkflow.abandon_parked, reason
    )


async def _ask(
    client: Client,
    workflow_id: str,
    action: OperatorAction,
    update: UpdateMethodMultiParam[[PosTransactionWorkflow, ArgT], OperatorReply],
    arg: ArgT,
) -> OperatorReply:
    handle = client.get_workflow_handle_for(PosTransactionWorkflow.run, workflow_id)
    try:
        return await handle.execute_update(update, arg)
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        message = cause.message if isinstance(cause, ApplicationError) else str(cause or error)
    except RPCError as error:
        # No running workflow to take the update: it finished, or there is no such run.
        message = await _why_not_running(handle, error)
    return OperatorReply(workflow_id=workflow_id, action=action, accepted=False, message=message)


async def _why_not_running(handle: WorkflowHandle[Any, SyncStatus], error: RPCError) -> str:
    if error.status is not RPCStatusCode.NOT_FOUND:
        return f"not sent: {error.message}"
    try:
        status = await handle.query(PosTransactionWorkflow.status)
    except (RPCError, WorkflowQueryFailedError):
        return "no such run"
    return f"not parked: the run has ended (stage {status.stage.value})"


async def parked_run_ids(client: Client, store_id: str | None = None) -> list[str]:
    return [
        run.workflow_id
        async for run in list_runs(client, stage="parked", store_id=store_id)
        if run.status == "RUNNING"
    ]
