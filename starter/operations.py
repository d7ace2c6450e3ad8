"""Operator actions on runs: list them by stage and store, retry or abandon parked ones."""

from collections.abc import AsyncIterator

from pydantic import BaseModel
from temporalio.client import Client

from workflows import search_attributes as attrs
from workflows.pos_transaction import PosTransactionWorkflow


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


def runs_query(stage: str | None = None, store_id: str | None = None) -> str:
    clauses = ["WorkflowType = 'PosTransaction'"]
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


async def retry_run(client: Client, workflow_id: str, note: str = "") -> None:
    await client.get_workflow_handle(workflow_id).signal(PosTransactionWorkflow.retry, note)


async def abandon_run(client: Client, workflow_id: str, reason: str) -> None:
    await client.get_workflow_handle(workflow_id).signal(PosTransactionWorkflow.abandon, reason)


async def parked_run_ids(client: Client, store_id: str | None = None) -> list[str]:
    return [
        run.workflow_id
        async for run in list_runs(client, stage="parked", store_id=store_id)
        if run.status == "RUNNING"
    ]
