"""Book one store-day's waiting tickets as consolidated postings: the steps a daily posting
run and a period close share (deterministic workflow code; every side effect in activities).

prepare a batch -> decide its posting date -> book it in the ERP -> record where it landed.
A day may need more than one batch (an unfinished one from a run that died, then tickets that
arrived since). An ERP refusal leaves the batch pending with an exception for finance; the
next run tries it again.
"""

from datetime import date

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.daily_posting import (
        BatchPosted,
        BatchPostRequest,
        BatchRefused,
        DailyPostingActivities,
        PendingRequest,
    )
    from activities.errors import failure_in
    from activities.finance import FinanceActivities, PostingPlanRequest
    from domain.consolidation import BatchOutcome, ConsolidationBatch, PendingDay
    from domain.outcomes import BusinessFailure
    from workflows.activity_calls import erp_step, store_step


async def pending_days(
    through: date,
    *,
    since: date | None = None,
    store_id: str | None = None,
    for_period_close: bool = False,
) -> list[PendingDay]:
    """Days waiting for a consolidated posting; a close gets those of the period it closes."""
    return await store_step(
        DailyPostingActivities.pending_days,
        PendingRequest(
            through=through,
            since=since,
            store_id=store_id,
            leave_closing_periods=not for_period_close,
        ),
    )


async def consolidate_day(day: PendingDay, *, honour_closing_marks: bool) -> list[BatchOutcome]:
    """Book every batch the day has waiting; stop at the first the ERP refuses."""
    outcomes: list[BatchOutcome] = []
    while True:
        batch = await store_step(DailyPostingActivities.prepare_batch, day)
        if batch is None:
            return outcomes
        outcome = await _book(batch, honour_closing_marks=honour_closing_marks)
        outcomes.append(outcome)
        if not outcome.posted:
            return outcomes


async def _book(batch: ConsolidationBatch, *, honour_closing_marks: bool) -> BatchOutcome:
    plan = await erp_step(
        FinanceActivities.plan_posting,
        PostingPlanRequest(
            business_date=batch.business_date, honour_closing_marks=honour_closing_marks
        ),
    )
    outcome = BatchOutcome(
        key=batch.key,
        store_id=batch.store_id,
        business_date=batch.business_date,
        ticket_count=batch.totals.ticket_count,
        posted=False,
    )
    try:
        refs = await erp_step(
            DailyPostingActivities.post_batch,
            BatchPostRequest(batch=batch, posting_date=plan.posting.posting_date),
        )
    except ActivityError as error:
        failure = _business_failure(error)
        if failure is None:
            raise
        await store_step(
            DailyPostingActivities.record_refusal, BatchRefused(batch=batch, failure=failure)
        )
        return outcome.model_copy(update={"refusal": failure.message})
    await store_step(
        DailyPostingActivities.record_posted,
        BatchPosted(batch=batch, refs=refs, posting=plan.posting),
    )
    return outcome.model_copy(
        update={"posted": True, "move_number": refs.move_number, "posting_date": refs.posting_date}
    )


def _business_failure(error: ActivityError) -> BusinessFailure | None:
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.non_retryable:
        return failure_in(cause)
    return None
