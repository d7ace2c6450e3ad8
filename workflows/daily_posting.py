"""Daily consolidated posting of one store, run by its Temporal Schedule (or by hand).

Books every business day of the store up to ``through`` (default: yesterday, by the
workflow's clock) whose tickets wait in the journal: one consolidated ERP posting per day, and
a further one for tickets that arrived after their day was booked. Days missed while the
schedule was paused or the ERP was refusing are caught up by the next run.
"""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.consolidation import BatchOutcome, DailyPostingRequest, DailyPostingResult
    from workflows.consolidation import consolidate_day, pending_days


def daily_posting_schedule_id(store_id: str) -> str:
    return f"daily-posting-{store_id}"


@workflow.defn(name="DailyPosting")
class DailyPostingWorkflow:
    def __init__(self) -> None:
        self._batches: list[BatchOutcome] = []

    @workflow.run
    async def run(self, request: DailyPostingRequest) -> DailyPostingResult:
        through = request.through or workflow.now().date() - timedelta(days=1)
        for day in await pending_days(through, store_id=request.store_id):
            self._batches += await consolidate_day(day, honour_closing_marks=True)
        return DailyPostingResult(store_id=request.store_id, through=through, batches=self._batches)

    @workflow.query
    def batches(self) -> list[BatchOutcome]:
        """The batches booked (or refused) so far."""
        return self._batches
