"""What finance's commands do (``starter.cli.finance_commands``): start and reach the period close
workflow, reopen a period in the ERP (a deliberate direct action), build the reconciliation
report from the store and the ERP, and run daily consolidated postings (one Temporal Schedule
per store).
"""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
    WorkflowHandle,
)

from activities.reconciliation import build_reconciliation
from connectors.erp.factory import create_books
from domain.consolidation import DailyPostingRequest, DailyPostingResult
from domain.mapping import MappingKind
from domain.period_close import (
    CloseOutcome,
    PeriodCloseRequest,
    PeriodCloseStatus,
    period_close_workflow_id,
)
from domain.periods import DateRange, ErpPeriod, month_start, period_containing
from domain.reconciliation import ReconciliationReport
from domain.settings import Settings
from store.db import create_store_engine, session_scope
from store.periods import REOPENED, find_close, settle_close
from store.tables import Mapping
from workflows.daily_posting import DailyPostingWorkflow, daily_posting_schedule_id
from workflows.period_close import PeriodCloseWorkflow

# Period close


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


# Reconciliation report


async def reconcile_day(
    settings: Settings, day: date, store_id: str | None
) -> ReconciliationReport:
    books = create_books(settings)
    try:
        return await build_reconciliation(
            create_store_engine(settings.resolved_store_url),
            books,
            DateRange(start_date=day, end_date=day),
            store_id,
        )
    finally:
        await books.aclose()


# Daily consolidated postings


def daily_posting_schedule(store_id: str, settings: Settings) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DailyPostingWorkflow.run,
            DailyPostingRequest(store_id=store_id),
            id=daily_posting_schedule_id(store_id),
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    hour=[ScheduleRange(settings.daily_posting_hour)],
                    minute=[ScheduleRange(0)],
                    second=[ScheduleRange(0)],
                )
            ]
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=1)),
    )


async def ensure_daily_posting_schedules(
    client: Client, settings: Settings, store_ids: list[str]
) -> list[str]:
    """Create (or update) each store's schedule; returns the schedule ids."""
    ids = []
    for store_id in store_ids:
        schedule_id = daily_posting_schedule_id(store_id)
        schedule = daily_posting_schedule(store_id, settings)
        try:
            await client.create_schedule(schedule_id, schedule)
        except ScheduleAlreadyRunningError:

            def replace(_: ScheduleUpdateInput, new: Schedule = schedule) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=new)

            await client.get_schedule_handle(schedule_id).update(replace)
        ids.append(schedule_id)
    return ids


async def run_daily_posting(
    client: Client, task_queue: str, store_id: str, through: date | None = None
) -> DailyPostingResult:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return await client.execute_workflow(
        DailyPostingWorkflow.run,
        DailyPostingRequest(store_id=store_id, through=through),
        id=f"{daily_posting_schedule_id(store_id)}-manual-{stamp}",
        task_queue=task_queue,
    )


def mapped_stores(settings: Settings) -> list[str]:
    with session_scope(create_store_engine(settings.resolved_store_url)) as session:
        rows = session.exec(
            select(Mapping.store_id).where(Mapping.kind == MappingKind.LOCATION.value)
        ).all()
    return sorted({store for store in rows if store})


def describe_daily_posting(result: DailyPostingResult) -> list[str]:
    lines = []
    for batch in result.batches:
        where = f"ERP {batch.move_number} on {batch.posting_date}" if batch.posted else "refused"
        lines.append(
            f"{batch.key}: {batch.ticket_count} tickets, {where} {batch.refusal or ''}".rstrip()
        )
    return lines or [f"nothing waits for store {result.store_id} through {result.through}"]
