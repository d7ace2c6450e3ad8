"""The period close as finance reaches it (``tillsync period ...``): start the workflow, reach
a running one, and reopen a period in the ERP (a deliberate direct action)."""

from datetime import UTC, datetime

from temporalio.client import (
    Client,
    WorkflowHandle,
)

from connectors.erp.factory import create_books
from domain.period_close import (
    CloseOutcome,
    PeriodCloseRequest,
    PeriodCloseStatus,
    period_close_workflow_id,
)
from domain.periods import ErpPeriod, month_start, period_containing
from domain.reconciliation import ReconciliationReport
from domain.settings import Settings
from store.db import create_store_engine, session_scope
from store.periods import REOPENED, find_close, settle_close
from workflows.period_close import PeriodCloseWorkflow


async def start_period_close(
    client: Client, task_queue: str, request: PeriodCloseRequest, note: str = ""
) -> WorkflowHandle[PeriodCloseWorkflow, CloseOutcome]:
    """Signal-with-start: one close per company and period; a running one reconciles again
    when it is waiting for approval."""
    return await client.start_workflow(
        PeriodCloseWorkflow.run,
        request,
        id=period_close_workflow_id(request.company_id, request.period),
        task_queue=task_queue,
        start_signal="request_close",
        start_signal_args=[note],
    )


def period_close_handle(
    client: Client, company_id: int, period: str
) -> WorkflowHandle[PeriodCloseWorkflow, CloseOutcome]:
    return client.get_workflow_handle_for(
        PeriodCloseWorkflow.run, period_close_workflow_id(company_id, period)
    )


async def period_close_status(client: Client, company_id: int, period: str) -> PeriodCloseStatus:
    return await period_close_handle(client, company_id, period).query(PeriodCloseWorkflow.status)


async def reopen_period(settings: Settings, period: str, note: str) -> ErpPeriod:
    """Reopen the period in the ERP and lift the store's closing mark."""
    first_day = month_start(period)
    books = create_books(settings)
    try:
        found = period_containing(await books.periods_from(first_day), first_day)
        if found is None:
            raise LookupError(f"the ERP has no accounting period for {period}")
        reopened = await books.reopen_period(found.erp_id)
    finally:
        await books.aclose()
    with session_scope(create_store_engine(settings.resolved_store_url)) as session:
        if find_close(session, settings.erp_company_id, period) is not None:
            settle_close(
                session,
                company_id=settings.erp_company_id,
                period=period,
                state=REOPENED,
                note=note,
                now=datetime.now(UTC),
            )
    return reopened


def saved_reconciliation(settings: Settings, period: str) -> ReconciliationReport | None:
    """The reconciliation the period's close kept, if it reconciled yet."""
    with session_scope(create_store_engine(settings.resolved_store_url)) as session:
        record = find_close(session, settings.erp_company_id, period)
        saved = record.reconciliation if record else {}
    return ReconciliationReport.model_validate(saved) if saved else None
