"""A store's available-to-sell publisher: one long-running run per store, fed by signals.

Why a workflow rather than a coalescer inside each worker: the changes of one store come from
every worker, and a worker can die between a sale and its push. The run is the one place
where a store's changes meet, durably: a signal is never lost, a push that fails is retried
with backoff by Temporal, and the run survives workers.

How it coalesces: the first change opens a window of ``debounce_ms``; every item changed until
it closes goes in one push. A push reads the ERP when it runs (each retry again), so a webhook
that was down gets the newest quantities when it is back; items changed meanwhile go in the
next push. An idle run ends after an hour (the next change starts it again), and a busy one
continues as new every ``ROUNDS_PER_RUN`` pushes to keep its history short.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.available import ATS_SIGNAL, ATS_WORKFLOW, AtsPublisherInput, StockChange

ROUNDS_PER_RUN = 200
IDLE_FOR = timedelta(hours=1)
PUSH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=0,
)


@workflow.defn(name=ATS_WORKFLOW)
class AtsPublisherWorkflow:
    def __init__(self) -> None:
        self._changed: set[str] = set()
        self._pushes = 0

    @workflow.signal(name=ATS_SIGNAL)
    def stock_changed(self, item_codes: list[str]) -> None:
        self._changed.update(item_codes)

    @workflow.query
    def pushes(self) -> int:
        return self._pushes

    @workflow.run
    async def run(self, request: AtsPublisherInput) -> None:
        self._changed.update(request.pending)
        for _ in range(ROUNDS_PER_RUN):
            try:
                await workflow.wait_condition(lambda: bool(self._changed), timeout=IDLE_FOR)
            except TimeoutError:
                return
            if request.debounce_ms:
                await workflow.sleep(timedelta(milliseconds=request.debounce_ms))
            items, self._changed = sorted(self._changed), set()
            await workflow.execute_activity(
                "ats.publish",
                StockChange(store_id=request.store_id, item_codes=items),
                start_to_close_timeout=timedelta(seconds=60),
                heartbeat_timeout=timedelta(seconds=30),
                retry_policy=PUSH_RETRY,
            )
            self._pushes += 1
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(request.model_copy(update={"pending": sorted(self._changed)}))
