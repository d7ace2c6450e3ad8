"""One watcher per terminal whose receipt sequence has gaps: it raises a receipt_gap exception
when a gap outlives the grace period and resolves it when the missing tickets arrive.

The starter signals ``receipt_seen`` (signal-with-start) whenever a receipt number is not the
next in its terminal's sequence. Each review runs in an activity; between reviews the
watcher sleeps until the next gap falls due, or until another receipt arrives. It finishes
once nothing is missing (the next out-of-sequence receipt starts a new one).
"""

import contextlib
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.receipts import GapReviewRequest, ReceiptActivities
    from domain.receipts import TerminalRef
    from workflows.activity_calls import store_step

_SHORTEST_WAIT = timedelta(seconds=1)


@workflow.defn(name="ReceiptGaps")
class ReceiptGapsWorkflow:
    def __init__(self) -> None:
        self._receipt_arrived = False

    @workflow.run
    async def run(self, terminal: TerminalRef) -> None:
        while True:
            self._receipt_arrived = False
            review = await store_step(
                ReceiptActivities.review_gaps,
                GapReviewRequest(terminal=terminal, as_of=workflow.now()),
            )
            if not review.missing and not self._receipt_arrived:
                return
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(terminal)
            timeout = (
                max(review.next_due - workflow.now(), _SHORTEST_WAIT) if review.next_due else None
            )
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self._receipt_arrived, timeout=timeout)

    @workflow.signal
    def receipt_seen(self) -> None:
        """A receipt number arrived out of sequence: review the gaps again."""
        self._receipt_arrived = True
