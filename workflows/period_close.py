"""Close one accounting period of one company on fixed numbers while the tills keep trading.

1. mark the period as closing in the store: from now on its postings re-date to the next
   open period (the saga's plan step reads the mark);
2. drain: wait, bounded, for the period's transactions still in flight (parked runs wait
   for people and are reported as open exceptions instead) and for daily posting runs;
3. book the period's waiting daily consolidated postings (daily posting mode): from the mark
   on, scheduled runs leave the period's days to the close, so nothing is booked twice;
4. reconcile POS against ERP per store and business day;
5. when anything differs, exceptions are open, receipts are missing or the drain timed out,
   wait for finance to ``approve`` (with a note) or ``abort``; ``request_close`` reconciles
   again (after a fix);
6. close the period in the ERP and record the close report (an ERP refusal waits for
   finance again).

One workflow per company and period (id ``period-close-{company}-{YYYY-MM}``), started with
signal-with-start by ``tillsync period close`` or from the Temporal UI. Reopening is
``tillsync period reopen``, never this workflow.
"""

from datetime import timedelta
from enum import Enum

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.finance import FinanceActivities, PeriodReconcileRequest
    from domain.period_close import (
        CloseMark,
        CloseOutcome,
        CloseStep,
        PeriodCloseRequest,
        PeriodCloseStatus,
        approval_needed,
    )
    from domain.periods import DateRange, ErpPeriod
    from workflows.activity_calls import erp_step, store_step
    from workflows.consolidation import consolidate_day, pending_days


class _Choice(Enum):
    APPROVE = "approve"
    ABORT = "abort"
    RECONCILE_AGAIN = "reconcile_again"


class _Decision:
    def __init__(self, choice: _Choice, note: str) -> None:
        self.choice = choice
        self.note = note


@workflow.defn(name="PeriodClose")
class PeriodCloseWorkflow:
    @workflow.init
    def __init__(self, request: PeriodCloseRequest) -> None:
        self._status = PeriodCloseStatus(company_id=request.company_id, period=request.period)
        self._decision: _Decision | None = None

    @workflow.run
    async def run(self, request: PeriodCloseRequest) -> CloseOutcome:
        period = await erp_step(
            FinanceActivities.mark_closing,
            CloseMark(
                company_id=request.company_id,
                period=request.period,
                workflow_id=workflow.info().workflow_id,
            ),
        )
        self._status.erp_period = period
        dates = DateRange(start_date=period.start_date, end_date=period.end_date)

        self._set_step(CloseStep.DRAINING)
        await self._drain(request, dates)
        if self._abort_requested():
            return await self._finish(closed=False)

        self._set_step(CloseStep.CONSOLIDATING)
        for day in await pending_days(
            dates.end_date, since=dates.start_date, for_period_close=True
        ):
            booked = await consolidate_day(day, honour_closing_marks=False)
            self._status.consolidated_batches += sum(outcome.posted for outcome in booked)

        approved = False
        while True:
            if not approved:
                self._set_step(CloseStep.RECONCILING)
                summary = await erp_step(
                    FinanceActivities.reconcile_period,
                    PeriodReconcileRequest(
                        company_id=request.company_id, period=request.period, dates=dates
                    ),
                )
                self._status.reconciliation = summary
                reason = approval_needed(
                    summary,
                    left_in_flight=self._status.in_flight if self._status.drain_timed_out else 0,
                )
                if reason is not None:
                    decision = await self._decide(reason)
                    if decision.choice is _Choice.ABORT:
                        return await self._finish(closed=False)
                    if decision.choice is _Choice.RECONCILE_AGAIN:
                        continue
                    self._status.approval_note = decision.note
                approved = True
            self._set_step(CloseStep.CLOSING)
            refusal = await self._close_in_erp(period)
            if refusal is None:
                break
            decision = await self._decide(
                f"the ERP refused to close {period.name}: {refusal}; "
                "fix it in the ERP, then approve to try again"
            )
            if decision.choice is _Choice.ABORT:
                return await self._finish(closed=False)
            approved = decision.choice is _Choice.APPROVE
        return await self._finish(closed=True)

    @workflow.signal
    def approve(self, note: str) -> None:
        """Accept the differences shown (only while waiting for approval)."""
        if self._status.step is CloseStep.AWAITING_APPROVAL:
            self._decision = _Decision(_Choice.APPROVE, note or "approved")

    @workflow.signal
    def abort(self, reason: str) -> None:
        """Give the close up; the period stays open and postings stop re-dating."""
        if self._status.step not in (CloseStep.CLOSING, CloseStep.CLOSED, CloseStep.ABORTED):
            self._decision = _Decision(_Choice.ABORT, reason or "aborted")

    @workflow.signal
    def request_close(self, note: str) -> None:
        """Sent by each ``tillsync period close``: while waiting for approval, reconcile again."""
        if self._status.step is CloseStep.AWAITING_APPROVAL:
            self._decision = _Decision(_Choice.RECONCILE_AGAIN, note)

    @workflow.query
    def status(self) -> PeriodCloseStatus:
        return self._status

    async def _drain(self, request: PeriodCloseRequest, dates: DateRange) -> None:
        """Poll until no transaction of the period is in flight, the drain times out, or
        finance aborts."""
        deadline = workflow.now() + timedelta(seconds=request.drain_timeout_seconds)
        poll = timedelta(seconds=request.drain_poll_seconds)
        while True:
            in_flight = await erp_step(FinanceActivities.in_flight, dates)
            self._status.in_flight = in_flight.count
            self._status.in_flight_ids = in_flight.workflow_ids
            remaining = deadline - workflow.now()
            if in_flight.count == 0:
                return
            if remaining <= timedelta(0):
                self._status.drain_timed_out = True
                return
            try:
                await workflow.wait_condition(self._abort_requested, timeout=min(poll, remaining))
                return
            except TimeoutError:
                continue

    async def _decide(self, reason: str) -> _Decision:
        """Wait for finance (an abort already requested needs no waiting)."""
        if self._abort_requested():
            assert self._decision is not None
            return self._decision
        self._status.waiting_because = reason
        self._set_step(CloseStep.AWAITING_APPROVAL)
        self._decision = None
        await workflow.wait_condition(lambda: self._decision is not None)
        decision, self._decision = self._decision, None
        assert decision is not None
        if decision.choice is _Choice.ABORT:
            self._decision = decision
        self._status.waiting_because = None
        return decision

    async def _close_in_erp(self, period: ErpPeriod) -> str | None:
        """Close the period in the ERP; the ERP's reason when it refuses."""
        try:
            self._status.erp_period = await erp_step(
                FinanceActivities.close_erp_period, period.erp_id
            )
        except ActivityError as error:
            cause = error.cause
            if isinstance(cause, ApplicationError) and cause.non_retryable:
                return cause.message
            raise
        return None

    async def _finish(self, *, closed: bool) -> CloseOutcome:
        if closed:
            note = self._status.approval_note or "no differences"
            self._set_step(CloseStep.CLOSED)
        else:
            note = self._decision.note if self._decision else "aborted"
            self._status.abort_reason = note
            self._set_step(CloseStep.ABORTED)
        outcome = CloseOutcome(
            company_id=self._status.company_id,
            period=self._status.period,
            closed=closed,
            note=note,
            status=self._status,
        )
        await store_step(FinanceActivities.settle_close, outcome)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return outcome

    def _abort_requested(self) -> bool:
        return self._decision is not None and self._decision.choice is _Choice.ABORT

    def _set_step(self, step: CloseStep) -> None:
        self._status.step = step
