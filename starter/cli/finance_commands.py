"""Finance's commands: ``tillsync period ...``, ``tillsync reconcile`` and ``tillsync posting
...`` (their logic: ``starter.control.period_close``,
``starter.control.daily_posting``, ``starter.reports``).

The period close is a workflow (``period close`` signal-with-starts it; ``approve``, ``abort``
and ``status`` talk to it); ``reopen`` is a deliberate direct action on the ERP.
"""

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from temporalio.service import RPCError, RPCStatusCode

from connectors.temporal.client import connect
from domain.period_close import CloseStep, PeriodCloseRequest
from domain.settings import Settings
from starter.cli.console import fail, finish, stdout_console
from starter.control.daily_posting import (
    describe_daily_posting,
    ensure_daily_posting_schedules,
    mapped_stores,
    run_daily_posting,
)
from starter.control.period_close import (
    period_close_handle,
    period_close_status,
    reopen_period,
    saved_reconciliation,
    start_period_close,
)
from starter.reports.reconcile_report import render_csv, render_html, renderables
from starter.reports.reconciliation import reconcile_day
from workflows.period_close import PeriodCloseWorkflow

period_app = typer.Typer(help="close an accounting period (finance)", no_args_is_help=True)
posting_app = typer.Typer(help="daily consolidated postings", no_args_is_help=True)

Period = Annotated[str, typer.Argument(metavar="YYYY-MM")]
Day = Annotated[date, typer.Option(parser=date.fromisoformat, metavar="YYYY-MM-DD")]


def register(app: typer.Typer) -> None:
    app.add_typer(period_app, name="period")
    app.command(help="POS against ERP for a business day")(reconcile)
    app.add_typer(posting_app, name="posting")


# Period close


@period_app.command("close", help="start the close (or reconcile again if waiting)")
def period_close(
    period: Period,
    drain_timeout: Annotated[int, typer.Option(metavar="SECONDS")] = 7200,
    note: Annotated[str, typer.Option(help="who asks, and why")] = "",
) -> None:
    finish(_period_close(Settings(), period, drain_timeout, note))


async def _period_close(settings: Settings, period: str, drain_timeout: int, note: str) -> int:
    request = PeriodCloseRequest(
        period=period, company_id=settings.erp_company_id, drain_timeout_seconds=drain_timeout
    )
    handle = await start_period_close(await connect(settings), settings.task_queue, request, note)
    print(f"period close {request.period}: {handle.id} (Temporal UI: find it by this id)")
    return 0


@period_app.command("approve", help="accept the differences and close")
def period_approve(period: Period, note: Annotated[str, typer.Option()]) -> None:
    finish(_decide(Settings(), period, PeriodCloseWorkflow.approve, note))


@period_app.command("abort", help="give the close up; postings stop re-dating")
def period_abort(period: Period, reason: Annotated[str, typer.Option()]) -> None:
    finish(_decide(Settings(), period, PeriodCloseWorkflow.abort, reason))


async def _decide(settings: Settings, period: str, signal: Any, text: str) -> int:
    client = await connect(settings)
    status = await period_close_status(client, settings.erp_company_id, period)
    if signal is PeriodCloseWorkflow.approve and status.step is not CloseStep.AWAITING_APPROVAL:
        print(f"the close of {period} is {status.step.value}, not waiting for approval")
        return 1
    await period_close_handle(client, settings.erp_company_id, period).signal(signal, text)
    print(f"{signal.__name__} sent to the close of {period}")
    return 0


@period_app.command("status", help="where the close stands")
def period_status(
    period: Period,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    html: Annotated[Path | None, typer.Option(metavar="FILE", help="its reconciliation")] = None,
) -> None:
    finish(_period_status(Settings(), period, as_json, html))


async def _period_status(settings: Settings, period: str, as_json: bool, html: Path | None) -> int:
    try:
        status = await period_close_status(await connect(settings), settings.erp_company_id, period)
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        return fail(f"no close of {period} was ever started")
    if html:
        saved = saved_reconciliation(settings, period)
        if saved is None:
            return fail("the close has not reconciled yet")
        page = render_html(saved)
        await asyncio.to_thread(html.write_text, page)
    if as_json:
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


@period_app.command("reopen", help="reopen a closed period in the ERP")
def period_reopen(period: Period, note: Annotated[str, typer.Option()]) -> None:
    finish(_period_reopen(Settings(), period, note))


async def _period_reopen(settings: Settings, period: str, note: str) -> int:
    reopened = await reopen_period(settings, period, note)
    print(f"period {reopened.name} is {reopened.state} in the ERP")
    return 0


# Reconciliation report


def reconcile(
    day: Annotated[date, typer.Option("--date", parser=date.fromisoformat, metavar="YYYY-MM-DD")],
    store: str | None = None,
    html: Annotated[Path | None, typer.Option(metavar="FILE")] = None,
    csv: Annotated[Path | None, typer.Option(metavar="FILE")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    finish(_reconcile(Settings(), day, store, html, csv, as_json))


async def _reconcile(
    settings: Settings,
    day: date,
    store: str | None,
    html: Path | None,
    csv: Path | None,
    as_json: bool,
) -> int:
    report = await reconcile_day(settings, day, store)
    if html:
        await asyncio.to_thread(html.write_text, render_html(report))
    if csv:
        await asyncio.to_thread(csv.write_text, render_csv(report))
    if as_json:
        print(report.model_dump_json())
    else:
        stdout_console().print(*renderables(report), sep="\n")
    return 0


# Daily consolidated postings


@posting_app.command("schedule", help="one Temporal Schedule per store")
def posting_schedule(
    store: Annotated[list[str] | None, typer.Option(help="default: every mapped store")] = None,
) -> None:
    finish(_posting_schedule(Settings(), store or []))


async def _posting_schedule(settings: Settings, stores: list[str]) -> int:
    chosen = stores or mapped_stores(settings)
    client = await connect(settings)
    for schedule_id in await ensure_daily_posting_schedules(client, settings, chosen):
        print(f"schedule {schedule_id}: daily at {settings.daily_posting_hour:02d}:00 UTC")
    return 0


@posting_app.command("run", help="book a store's waiting days now")
def posting_run(
    store: Annotated[str, typer.Option()],
    through: Annotated[
        date | None, typer.Option(parser=date.fromisoformat, metavar="YYYY-MM-DD")
    ] = None,
) -> None:
    finish(_posting_run(Settings(), store, through))


async def _posting_run(settings: Settings, store: str, through: date | None) -> int:
    result = await run_daily_posting(await connect(settings), settings.task_queue, store, through)
    print("\n".join(describe_daily_posting(result)))
    return 0
