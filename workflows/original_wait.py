"""A return replayed before the sale it takes back waits for that sale, visibly (SyncStage
``waiting_original``), until its submission's deadline, then parks (``original_missing``)
rather than guess.

It rechecks the store's journal on timers that back off (5 s, doubling up to 15 min). Since
patch WOKEN_BY_ORIGINAL it is also woken as soon as the sale is journaled posted: the return
notes what it waits for when it checks, and the sale's journal step signals the runs that
noted it (``original_posted``, activities/returns.py). An offline till replaying its day then
books each return right behind its sale, where the backoff could leave it minutes behind.
"""

from contextlib import suppress
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.returns import ORIGINAL_POSTED, ReturnActivities
    from domain.hot_path import names_originals
    from domain.outcomes import Submission, SyncStage
    from domain.returns import original_missing_failure
    from domain.transaction import PosTransaction
    from workflows import patches, policies
    from workflows.operator_actions import ParkedRun
    from workflows.ticket_run import ParkWith


class WaitsForOriginals(ParkedRun):
    def __init__(self, submission: Submission) -> None:
        super().__init__(submission)
        self._original_posted = False

    @workflow.signal(name=ORIGINAL_POSTED)
    def original_posted(self) -> None:
        """A sale this run waits for was journaled posted: check again now."""
        self._original_posted = True

    async def _wait_for_originals(self, txn: PosTransaction) -> dict[str, str]:
        """The ERP references of the sales this ticket returns goods from."""
        if not names_originals(txn):
            return {}
        wait = self._submission.original_wait
        deadline = workflow.now() + wait
        pause = policies.ORIGINAL_FIRST_RECHECK
        while True:
            self._original_posted = False  # a sale posted from here on is seen by the check
            lookup = await self._store(ReturnActivities.find_originals, txn)
            if not lookup.pending:
                return lookup.references
            if workflow.now() >= deadline:
                raise ParkWith(original_missing_failure(lookup.pending, wait))
            self._set_stage(SyncStage.WAITING_ORIGINAL)
            await self._until_original_posted(min(pause, deadline - workflow.now()))
            pause = min(pause * 2, policies.ORIGINAL_MAX_RECHECK)

    async def _until_original_posted(self, most: timedelta) -> None:
        if not self._patched(patches.WOKEN_BY_ORIGINAL):
            await workflow.sleep(most)
            return
        with suppress(TimeoutError):
            await workflow.wait_condition(lambda: self._original_posted, timeout=most)
