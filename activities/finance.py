"""Finance activities: the posting-date decision, and the steps of a period close.

The ERP side goes through ErpBooks; ErpUnavailable (and anything unexpected) propagates and
Temporal retries it, an ERP refusal becomes a non-retryable business failure. The Temporal
client (given at worker construction) lists the transactions still in flight in a period.
``build_reconciliation`` (no activity itself) reads the two sides a reconciliation compares.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.client import Client

from activities.errors import business_failure, unknown_codes_failure
from activities.heartbeat import heartbeating
from activities.period_cache import CachedPeriods
from connectors.erp.base import ErpBooks
from connectors.erp.errors import ErpRejected, ErpUnknownCodes
from domain.outcomes import ExceptionKind
from domain.period_close import CloseMark, CloseOutcome, InFlight
from domain.periods import (
    DateRange,
    ErpPeriod,
    PostingPlan,
    decide_posting_date,
    month_start,
    period_containing,
)
from domain.reconciliation import (
    ErpMoveFigures,
    ErpPosting,
    ReconciliationReport,
    ReconciliationSummary,
)
from domain.reconciliation_days import UNKNOWN_STORE, invoice_posting, reconcile_days
from domain.settings import Settings
from store.consolidations import POSTED, batches_between
from store.db import session_scope
from store.periods import (
    ABORTED,
    CLOSED,
    acknowledge_redated,
    closing_ranges,
    mark_closing,
    save_reconciliation,
    settle_close,
)
from store.reconciliation import (
    open_exception_notes,
    posted_tickets,
    receipt_gaps,
    workflow_stores,
)
from store.tables import ConsolidatedPosting

IN_FLIGHT_LISTED = 20
"""How many in-flight workflow ids a period close shows in its status."""


class PostingPlanRequest(BaseModel):
    business_date: date
    honour_closing_marks: bool = True
    """False only for the period close's own consolidated postings of the period it closes."""


class PeriodReconcileRequest(BaseModel):
    company_id: int
    period: str
    dates: DateRange


def in_flight_query(dates: DateRange, task_queue: str) -> str:
    """Transaction runs of the dates still working (parked ones wait for people, not for us),
    and daily posting runs (one may be booking a day of the period), of this company: a worker
    books one company, so the company's runs are those on the close's own task queue.

    The names are the workflows' types and the PosTransaction search attributes.
    """
    start = datetime.combine(dates.start_date, time(0), tzinfo=UTC)
    end = datetime.combine(dates.end_date, time(0), tzinfo=UTC)
    return (
        f"ExecutionStatus = 'Running' AND TaskQueue = '{task_queue}' AND ("
        "(WorkflowType = 'PosTransaction'"
        f" AND BusinessDate >= '{start.isoformat()}' AND BusinessDate <= '{end.isoformat()}'"
        " AND SyncStage != 'parked')"
        " OR WorkflowType = 'DailyPosting')"
    )


@asynccontextmanager
async def _refusals_are_business_failures() -> AsyncIterator[None]:
    try:
        yield
    except ErpUnknownCodes as error:
        raise unknown_codes_failure(error) from error
    except ErpRejected as error:
        raise business_failure(ExceptionKind.ERP_REJECTED, f"the ERP refused: {error}") from error


class FinanceActivities:
    def __init__(self, engine: Engine, books: ErpBooks, client: Client, settings: Settings) -> None:
        self._engine = engine
        self._books = books
        self._client = client
        self._settings = settings
        self._periods = CachedPeriods(books, settings.erp_period_cache_seconds)

    def definitions(self) -> list[Callable[..., Any]]:
        return [
            self.plan_posting,
            self.mark_closing,
            self.in_flight,
            self.reconcile_period,
            self.close_erp_period,
            self.settle_close,
        ]

    @activity.defn(name="finance.plan_posting")
    async def plan_posting(self, request: PostingPlanRequest) -> PostingPlan:
        """The posting mode, and the day a posting dated ``business_date`` lands on."""
        closing = (
            await asyncio.to_thread(self._closing_ranges, request.business_date)
            if request.honour_closing_marks
            else []
        )
        return await self.plan_within(request.business_date, closing)

    async def plan_within(self, business_date: date, closing: list[DateRange]) -> PostingPlan:
        """The plan, given the periods finance is ``closing`` (read by the caller, which may
        read them in the same store transaction as its other reads)."""
        async with heartbeating():
            periods = await self._periods.periods_from(business_date)
        return PostingPlan(
            mode=self._settings.erp_posting_mode,
            posting=decide_posting_date(business_date, periods, closing),
        )

    def closing_ranges_in(self, session: Session, business_date: date) -> list[DateRange]:
        return closing_ranges(session, self._settings.erp_company_id, business_date)

    @activity.defn(name="finance.mark_closing")
    async def mark_closing(self, mark: CloseMark) -> ErpPeriod:
        """Find the ERP period and mark it as closing: its postings re-date from now on."""
        if mark.company_id != self._settings.erp_company_id:
            raise business_failure(
                ExceptionKind.ERP_REJECTED,
                f"this worker books company {self._settings.erp_company_id}, "
                f"not company {mark.company_id}",
            )
        first_day = month_start(mark.period)
        async with heartbeating():
            periods = await self._books.periods_from(first_day)
        period = period_containing(periods, first_day)
        if period is None:
            raise business_failure(
                ExceptionKind.ERP_REJECTED, f"the ERP has no accounting period for {mark.period}"
            )
        dates = DateRange(start_date=period.start_date, end_date=period.end_date)
        await asyncio.to_thread(self._mark, mark, dates)
        return period

    @activity.defn(name="finance.in_flight")
    async def in_flight(self, dates: DateRange) -> InFlight:
        query = in_flight_query(dates, activity.info().task_queue)
        async with heartbeating():
            count = await self._client.count_workflows(query)
            listed = [
                execution.id
                async for execution in self._client.list_workflows(query, limit=IN_FLIGHT_LISTED)
            ]
        return InFlight(count=count.count, workflow_ids=sorted(listed))

    @activity.defn(name="finance.reconcile_period")
    async def reconcile_period(self, request: PeriodReconcileRequest) -> ReconciliationSummary:
        """Reconcile the period's days; the full report is kept with the period's close."""
        async with heartbeating():
            report = await build_reconciliation(self._engine, self._books, request.dates)
        await asyncio.to_thread(self._save_reconciliation, request, report.model_dump(mode="json"))
        return report.summary()

    @activity.defn(name="finance.close_erp_period")
    async def close_erp_period(self, erp_id: str | int) -> ErpPeriod:
        """``erp_id``: an integer when a run of an earlier release scheduled the close."""
        self._periods.invalidate()
        async with heartbeating(), _refusals_are_business_failures():
            closed = await self._books.close_period(str(erp_id))
        self._periods.invalidate()
        return closed

    @activity.defn(name="finance.settle_close")
    def settle_close(self, outcome: CloseOutcome) -> None:
        """Record how the close ended; a closed period's re-dated tickets are acknowledged."""
        now = datetime.now(UTC)
        with session_scope(self._engine) as session:
            record = settle_close(
                session,
                company_id=outcome.company_id,
                period=outcome.period,
                state=CLOSED if outcome.closed else ABORTED,
                note=outcome.note,
                now=now,
                report=outcome.status.model_dump(mode="json"),
            )
            if outcome.closed:
                acknowledge_redated(
                    session,
                    DateRange(start_date=record.start_date, end_date=record.end_date),
                    f"acknowledged by the close of {outcome.period}",
                    now,
                )

    def _closing_ranges(self, business_date: date) -> list[DateRange]:
        with session_scope(self._engine) as session:
            return self.closing_ranges_in(session, business_date)

    def _mark(self, mark: CloseMark, dates: DateRange) -> None:
        with session_scope(self._engine) as session:
            mark_closing(
                session,
                company_id=mark.company_id,
                period=mark.period,
                dates=dates,
                workflow_id=mark.workflow_id,
                now=datetime.now(UTC),
            )

    def _save_reconciliation(self, request: PeriodReconcileRequest, report: dict[str, Any]) -> None:
        with session_scope(self._engine) as session:
            save_reconciliation(session, request.company_id, request.period, report)


# The reconciliation the period close keeps (and ``tillsync reconcile`` and the worker's health
# refresh show): the store's POS side against what the ERP holds, per store and day.


class _PosSide:
    """What the store knows about the dates."""

    def __init__(self, engine: Engine, dates: DateRange, store_id: str | None) -> None:
        with session_scope(engine) as session:
            self.tickets = posted_tickets(session, dates.start_date, dates.end_date, store_id)
            self.exceptions = open_exception_notes(
                session, dates.start_date, dates.end_date, store_id
            )
            self.gaps = receipt_gaps(session, dates.start_date, dates.end_date, store_id)
            self.batches = batches_between(session, dates.start_date, dates.end_date, store_id)
        self._engine = engine

    def stores_of(self, workflow_ids: list[str]) -> dict[str, str]:
        with session_scope(self._engine) as session:
            return workflow_stores(session, workflow_ids)


async def build_reconciliation(
    engine: Engine, books: ErpBooks, dates: DateRange, store_id: str | None = None
) -> ReconciliationReport:
    pos = await asyncio.to_thread(_PosSide, engine, dates, store_id)
    invoices = await books.posted_invoices(dates.start_date, dates.end_date)
    moves = await books.consolidated_moves(
        [row.erp_move_id for row, _ in pos.batches if row.erp_move_id is not None]
    )
    stores = await asyncio.to_thread(pos.stores_of, [invoice.workflow_id for invoice in invoices])
    postings = [
        invoice_posting(invoice, stores.get(invoice.workflow_id, UNKNOWN_STORE))
        for invoice in invoices
    ]
    postings = [posting for posting in postings if store_id in (None, posting.store_id)]
    postings += _batch_postings(pos.batches, {move.move_id: move for move in moves})
    return reconcile_days(
        dates, store_id, pos.tickets, postings, pos.exceptions, pos.gaps, datetime.now(UTC)
    )


def _batch_postings(
    batches: list[tuple[ConsolidatedPosting, list[str]]], moves: dict[str, ErpMoveFigures]
) -> list[ErpPosting]:
    """The consolidated postings the ERP holds posted (a missing or draft one books nothing)."""
    postings: list[ErpPosting] = []
    for row, workflow_ids in batches:
        move = moves.get(row.erp_move_id) if row.erp_move_id is not None else None
        if row.state != POSTED or move is None or not move.posted:
            continue
        postings.append(
            ErpPosting(
                reference=move.number or row.batch_key,
                store_id=row.store_id,
                business_date=row.business_date,
                posting_date=move.posting_date,
                workflow_ids=workflow_ids,
                figures=move.figures.model_copy(update={"count": len(workflow_ids)}),
            )
        )
    return postings
