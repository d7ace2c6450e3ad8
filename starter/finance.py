"""Finance's commands: ``tillsync period ...``, ``tillsync reconcile`` and ``tillsync posting ...``.

The period close is a workflow (``period close`` signal-with-starts it; ``approve``, ``abort``
and ``status`` talk to it); ``reopen`` is a deliberate direct action on the ERP. The
reconciliation report reads the store and the ERP directly. Daily consolidated postings run
on one Temporal Schedule per store.
"""

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

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
from temporalio.service import RPCError, RPCStatusCode

from activities.reconciliation import build_reconciliation
from connectors.erp.factory import create_books
from domain.consolidation import DailyPostingRequest, DailyPostingResult
from domain.mapping import MappingKind
from domain.period_close import (
    CloseOutcome,
    CloseStep,
    PeriodCloseRequest,
    PeriodCloseStatus,
    period_close_workflow_id,
)
from domain.periods import DateRange, ErpPeriod, month_start, period_containing
from domain.reconciliation import ReconciliationReport
from domain.settings import Settings
from starter.reconcile_report import render_csv, render_html, render_text
from store.db import create_store_engine, session_scope
from store.periods import REOPENED, find_close, settle_close
from store.tables import Mapping
from worker import connect
from workflows.daily_posting import DailyPostingWorkflow, daily_posting_schedule_id
from workflows.period_close import PeriodCloseWorkflow


def add_finance_commands(commands: "argparse._SubParsersAction[Any]") -> None:
    period = commands.add_parser("period", help="close an accounting period (finance)")
    actions = period.add_subparsers(required=True, metavar="ACTION")

    close = actions.add_parser("close", help="start the close (or reconcile again if waiting)")
    close.add_argument("period", metavar="YYYY-MM")
    close.add_argument("--drain-timeout", type=int, default=7200, metavar="SECONDS")
    close.add_argument("--note", default="", help="who asks, and why")
    close.set_defaults(handler=_period_close)

    approve = actions.add_parser("approve", help="accept the differences and close")
    approve.add_argument("period", metavar="YYYY-MM")
    approve.add_argument("--note", required=True)
    approve.set_defaults(handler=_period_approve)

    abort = actions.add_parser("abort", help="give the close up; postings stop re-dating")
    abort.add_argument("period", metavar="YYYY-MM")
    abort.add_argument("--reason", required=True)
    abort.set_defaults(handler=_period_abort)

    status = actions.add_parser("status", help="where the close stands")
    status.add_argument("period", metavar="YYYY-MM")
    status.add_argument("--json", action="store_true")
    status.add_argument("--html", type=Path, metavar="FILE", help="its reconciliation as HTML")
    status.set_defaults(handler=_period_status)

    reopen = actions.add_parser("reopen", help="reopen a closed period in the ERP")
    reopen.add_argument("period", metavar="YYYY-MM")
    reopen.add_argument("--note", required=True)
    reopen.set_defaults(handler=_period_reopen)

    reconcile = commands.add_parser("reconcile", help="POS against ERP for a business day")
    reconcile.add_argument("--date", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    reconcile.add_argument("--store")
    reconcile.add_argument("--html", type=Path, metavar="FILE")
    reconcile.add_argument("--csv", type=Path, metavar="FILE")
    reconcile.add_argument("--json", action="store_true")
    reconcile.set_defaults(handler=_reconcile)

    posting = commands.add_parser("posting", help="daily consolidated postings")
    posting_actions = posting.add_subparsers(required=True, metavar="ACTION")
    schedule = posting_actions.add_parser("schedule", help="one Temporal Schedule per store")
    schedule.add_argument("--store", action="append", help="default: every mapped store")
    schedule.set_defaults(handler=_posting_schedule)
    run = posting_actions.add_parser("run", help="book a store's waiting days now")
    run.add_argument("--store", required=True)
    run.add_argument("--through", type=date.fromisoformat, metavar="YYYY-MM-DD")
    run.set_defaults(handler=_posting_run)


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


async def _period_close(args: argparse.Namespace, settings: Settings) -> int:
    request = PeriodCloseRequest(
        period=args.period,
        company_id=settings.erp_company_id,
        drain_timeout_seconds=args.drain_timeout,
    )
    handle = await start_period_close(
        await connect(settings), settings.task_queue, request, args.note
    )
    print(f"period close {request.period}: {handle.id} (Temporal UI: find it by this id)")
    return 0


async def _period_approve(args: argparse.Namespace, settings: Settings) -> int:
    return await _decide(args, settings, PeriodCloseWorkflow.approve, args.note)


async def _period_abort(args: argparse.Namespace, settings: Settings) -> int:
    return await _decide(args, settings, PeriodCloseWorkflow.abort, args.reason)


async def _decide(args: argparse.Namespace, settings: Settings, signal: Any, text: str) -> int:
    client = await connect(settings)
    status = await period_close_status(client, settings.erp_company_id, args.period)
    if signal is PeriodCloseWorkflow.approve and status.step is not CloseStep.AWAITING_APPROVAL:
        print(f"the close of {args.period} is {status.step.value}, not waiting for approval")
        return 1
    await period_close_handle(client, settings.erp_company_id, args.period).signal(signal, text)
    print(f"{signal.__name__} sent to the close of {args.period}")
    return 0


async def _period_status(args: argparse.Namespace, settings: Settings) -> int:
    try:
        status = await period_close_status(
            await connect(settings), settings.erp_company_id, args.period
        )
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        print(f"no close of {args.period} was ever started", file=sys.stderr)
        return 1
    if args.html:
        with session_scope(create_store_engine(settings.resolved_store_url)) as session:
            record = find_close(session, settings.erp_company_id, args.period)
            saved = record.reconciliation if record else {}
        if not saved:
            print("the close has not reconciled yet", file=sys.stderr)
            return 1
        args.html.write_text(render_html(ReconciliationReport.model_validate(saved)))
    if args.json:
        print(status.model_dump_json())
        return 0
    print(f"period {status.period}: {status.step.value}")
    if status.in_flight or status.drain_timed_out:
        print(f"  in flight: {status.in_flight} {' '.join(status.in_flight_ids)}")
    if status.reconciliation:
        summary = status.reconciliation
        print(
            f"  reconciled {summary.store_days} store-days: {summary.differences} differences, "
            f"{summary.open_exceptions} open exceptions, {summary.missing_receipts} missing "
            f"receipts; POS gross {summary.pos_gross}, ERP gross {summary.erp_gross}"
        )
    if status.waiting_because:
        print(f"  waiting for approval: {status.waiting_because}")
    return 0


async def _period_reopen(args: argparse.Namespace, settings: Settings) -> int:
    period = await reopen_period(settings, args.period, args.note)
    print(f"period {period.name} is {period.state} in the ERP")
    return 0


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


async def _reconcile(args: argparse.Namespace, settings: Settings) -> int:
    report = await reconcile_day(settings, args.date, args.store)
    if args.html:
        await asyncio.to_thread(args.html.write_text, render_html(report))
    if args.csv:
        await asyncio.to_thread(args.csv.write_text, render_csv(report))
    print(report.model_dump_json() if args.json else render_text(report))
    return 0


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


async def _posting_schedule(args: argparse.Namespace, settings: Settings) -> int:
    stores = args.store or mapped_stores(settings)
    for schedule_id in await ensure_daily_posting_schedules(
        await connect(settings), settings, stores
    ):
        print(f"schedule {schedule_id}: daily at {settings.daily_posting_hour:02d}:00 UTC")
    return 0


async def _posting_run(args: argparse.Namespace, settings: Settings) -> int:
    result = await run_daily_posting(
        await connect(settings), settings.task_queue, args.store, args.through
    )
    print("\n".join(describe_daily_posting(result)))
    return 0


def describe_daily_posting(result: DailyPostingResult) -> list[str]:
    lines = []
    for batch in result.batches:
        where = f"ERP {batch.move_number} on {batch.posting_date}" if batch.posted else "refused"
        lines.append(
            f"{batch.key}: {batch.ticket_count} tickets, {where} {batch.refusal or ''}".rstrip()
        )
    return lines or [f"nothing waits for store {result.store_id} through {result.through}"]
