"""The saga of one POS transaction, read top to bottom:

claim (dedupe) -> screen (incomplete tickets and totals) -> stock: map -> reserve, the first
ERP effect, which closes the "pending sale" window -> books: plan the posting (mode, and its
date: re-dated to the next open period when the period is closed or closing) -> post and pay
(per-transaction mode) -> commit -> journal. In daily mode a sale that returns nothing is
journaled once reserved: the day's consolidated posting issues its stock with the money. The
first step (activities/admission.py) claims, maps and plans; a sale's goes on to reserve it and,
in daily mode, to journal it, when the stages would do the same next: they then find it done.

A business failure while reserving releases what was reserved, opens an exception and parks
the run until an operator sends ``retry`` (after fixing the cause, perhaps with an amended
ticket) or ``abandon`` (updates answered by workflows/operator_actions.py). A failure in the
books parks the books alone: the goods left the till, so the reservation stays, and a retry
carries on from the posting under the same ERP reference. An unexpected error in this code
parks the run the same way (internal_error), and a cancel lets running compensations finish.
What each stage does in the ERP, and its compensations: workflows/ticket_stages.py.
"""

from collections.abc import Awaitable, Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.admission import Admission, AdmissionActivities
    from activities.store import StoreActivities
    from domain.operator import ParkedStage
    from domain.outcomes import BusinessFailure, Outcome, Submission, SyncStage, SyncStatus
    from domain.periods import redating_notice
    from domain.transaction import PosTransaction
    from workflows import patches
    from workflows.ticket_run import internal_failure, parks_unexpected
    from workflows.ticket_stages import TicketStages

Stage = Callable[[PosTransaction], Awaitable[BusinessFailure | None]]


@workflow.defn(name="PosTransaction")
class PosTransactionWorkflow(TicketStages):
    @workflow.init
    def __init__(self, submission: Submission) -> None:
        super().__init__(submission)

    @workflow.run
    async def run(self, submission: Submission) -> SyncStatus:
        self._patches = patches.taken(submission.patch_bundle)
        hot_path = self._local_steps = self._patched(patches.HOT_PATH)
        txn = submission.transaction
        if self._patched(patches.EXPRESS_ADMISSION):
            admission: Admission = await self._admit_and_reserve(submission)
            self._admission, claim = admission, admission.claim
        elif self._patched(patches.ONE_STEP_ADMISSION):
            admission = await self._store(AdmissionActivities.admit, submission)
            self._admission, claim = admission, admission.claim
        else:
            claim = await self._store(StoreActivities.claim, submission)
        if not claim.is_owner:
            self._set_stage(SyncStage.DUPLICATE, Outcome.DUPLICATE)
            return await self._finish()

        self._set_stage(SyncStage.SCREENING)
        if not txn.is_complete:
            await self._journal(txn, Outcome.IGNORED, f"{txn.status.value}: commits no stock")
            self._set_stage(SyncStage.IGNORED, Outcome.IGNORED)
            return await self._finish()

        stages: list[Stage] = [self._stock, self._books] if hot_path else [self._all_at_once]
        for stage in stages:
            if not await self._until_done(stage):
                self._set_stage(SyncStage.ABANDONED, Outcome.ABANDONED)
                return await self._finish()

        txn = self._ticket
        self._set_stage(SyncStage.JOURNALING)
        if not (self._admission and self._admission.journaled):
            await self._journal(txn, Outcome.POSTED, None)
        if self._plan is not None and self._plan.redated:
            await self._record_exception(txn, redating_notice(self._plan.posting))
        if self._parked_kinds:
            await self._resolve_exceptions(txn, f"posted on attempt {self._status.attempts}")
        self._set_stage(SyncStage.POSTED, Outcome.POSTED)
        return await self._finish()

    async def _until_done(self, stage: Stage) -> bool:
        """Run ``stage`` until it succeeds (True), parking after each business failure;
        False when an operator abandons the run (journaled, its exceptions resolved). A retry
        may bring an amended ticket, which the stage screens and books from then on."""
        retried = False
        while True:
            txn = self._ticket
            try:
                failure = await stage(txn)
            except Exception as error:
                if not parks_unexpected(error, self._patches):
                    raise
                failure = internal_failure(error)
            if failure is None:
                if retried and self._patched(patches.FAILURE_CLEARED_ON_SUCCESS):
                    self._clear_failure()
                return True
            self._admission = None
            self._parked_in = ParkedStage.BOOKS if stage == self._books else ParkedStage.STOCK
            decision = await self._park(txn, failure)
            if decision.abandon:
                issued = stage == self._books and await self._commit_abandoned()
                await self._journal(
                    txn,
                    Outcome.ABANDONED,
                    decision.note,
                    stock_issued=issued and self._patched(patches.STOCK_TOLD_WHEN_RELEASED),
                )
                await self._resolve_exceptions(txn, f"abandoned: {decision.note}")
                return False
            self._status.attempts += 1
            retried = True
            if decision.amended is not None:
                self._ticket = decision.amended
