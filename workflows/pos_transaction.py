"""The saga of one POS transaction, read top to bottom:

claim (dedupe) -> screen (incomplete tickets and totals) -> stock: map -> reserve, the first
ERP effect, which closes the "pending sale" window -> books: plan the posting (mode, and its
date: re-dated to the next open period when the period is closed or closing) -> post and pay
(per-transaction mode) -> commit -> journal. In daily mode a sale that returns nothing is
journaled once reserved: the day's consolidated posting issues its stock with the money.

A business failure while reserving releases what was reserved, opens an exception and parks
the run until an operator sends ``retry`` (after fixing the cause, perhaps with an amended
ticket) or ``abandon`` (updates answered by workflows/operator_actions.py). A failure in the
books parks the books alone: the goods left the till, so the reservation stays, and a retry
carries on from the posting under the same ERP reference. An unexpected error in this code
parks the run the same way (internal_error), and a cancel lets running compensations finish.
"""

import asyncio
from collections.abc import Awaitable, Callable

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.admission import Admission, AdmissionActivities
    from activities.erp import BookRequest, ErpActivities, PayRequest, PostRequest
    from activities.returns import ReturnActivities
    from activities.store import StoreActivities
    from domain.erp_order import ErpOrder
    from domain.ids import erp_reference, legacy_workflow_id
    from domain.operator import ParkedStage
    from domain.order_plan import plan_erp_order
    from domain.outcomes import (
        BusinessFailure,
        Outcome,
        Submission,
        SyncStage,
        SyncStatus,
    )
    from domain.periods import PostingMode, redating_notice
    from domain.returns import original_missing_failure
    from domain.review_notices import tax_rounding_notice, unreferenced_return_notice
    from domain.screening import check_posting, screen_totals
    from domain.transaction import PosTransaction
    from workflows import patches, policies
    from workflows.activity_calls import compensation, erp_step
    from workflows.operator_actions import ParkedRun
    from workflows.saga import Compensations
    from workflows.stock_release import release_and_tell
    from workflows.ticket_run import (
        ParkWith,
        failure_of,
        internal_failure,
        parks_unexpected,
    )

Stage = Callable[[PosTransaction], Awaitable[BusinessFailure | None]]
Step = Callable[[PosTransaction, Compensations], Awaitable[None]]


@workflow.defn(name="PosTransaction")
class PosTransactionWorkflow(ParkedRun):
    @workflow.init
    def __init__(self, submission: Submission) -> None:
        super().__init__(submission)
        self._reference = ""
        self._admission: Admission | None = None
        """What ticket.admit settled for the first attempt; dropped once the run parks."""

    @workflow.run
    async def run(self, submission: Submission) -> SyncStatus:
        self._patches = patches.taken()
        hot_path = self._local_steps = self._patched(patches.HOT_PATH)
        txn = submission.transaction
        if self._patched(patches.ONE_STEP_ADMISSION):
            admission: Admission = await self._store(AdmissionActivities.admit, submission)
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

    async def _stock(self, txn: PosTransaction) -> BusinessFailure | None:
        """screen -> map -> reserve; a failure releases what this attempt reserved."""
        return await self._undoable_attempt(txn, [self._reserve])

    async def _books(self, txn: PosTransaction) -> BusinessFailure | None:
        """plan -> post, pay, commit in one ERP step, forward only: a retry resumes where it
        stopped, under the same reference (the reservation stays)."""
        order = self._booked_order()
        admitted = self._admission.plan if self._admission else None
        try:
            if admitted is None:
                self._set_stage(SyncStage.POSTING)
            plan = self._plan = admitted or await self._plan_posting(txn)
            per_ticket = plan.mode is PostingMode.PER_TRANSACTION
            if self._issued_at_posting(order, per_ticket):
                return None
            if admitted is not None:
                self._set_stage(SyncStage.POSTING)
            booked = await erp_step(
                ErpActivities.book,
                BookRequest(
                    order=order, posting_date=plan.posting.posting_date if per_ticket else None
                ),
            )
        except (ActivityError, ApplicationError) as error:
            return failure_of(error)
        self._merge_refs(booked.refs)
        if (
            booked.posting
            and booked.posting.reconciliation
            and booked.posting.reconciliation.adjusted
        ):
            await self._record_exception(
                txn, tax_rounding_notice(booked.posting.reconciliation), "adjusted within tolerance"
            )
        await self._record_unreferenced_returns(txn)
        return None

    def _issued_at_posting(self, order: ErpOrder, per_ticket: bool) -> bool:
        """A daily-mode sale's books are the day's posting's: it issues the reserved stock."""
        return (
            not per_ticket
            and order.returns_nothing
            and self._patched(patches.STOCK_ISSUED_AT_POSTING)
        )

    async def _all_at_once(self, txn: PosTransaction) -> BusinessFailure | None:
        """Before HOT_PATH: every step its own activity, in one attempt; any failure undoes
        all of it. Kept while runs started before the patch may still be open."""
        return await self._undoable_attempt(txn, [self._reserve, self._post_and_pay, self._commit])

    async def _undoable_attempt(
        self, txn: PosTransaction, steps: list[Step]
    ) -> BusinessFailure | None:
        """Screen, then ``steps`` under this attempt's ERP reference; a business failure (or a
        cancel) undoes what they registered, newest first."""
        compensations = Compensations(shielded=self._patched(patches.SHIELDED_COMPENSATIONS))
        try:
            if failure := screen_totals(txn):
                return failure
            ticket_id = (
                txn.workflow_id
                if self._patched(patches.ESCAPED_IDS)
                else legacy_workflow_id(txn.store_id, txn.terminal_id, txn.transaction_id)
            )
            self._reference = erp_reference(ticket_id, self._status.attempts)
            for step in steps:
                await step(txn, compensations)
            return None
        except (ActivityError, ApplicationError, ParkWith) as error:
            return await self._compensate(compensations, error)
        except asyncio.CancelledError:
            await compensations.run()
            raise
        except Exception as error:
            if not parks_unexpected(error, self._patches):
                raise
            return await self._compensate(compensations, ParkWith(internal_failure(error)))

    async def _compensate(
        self, compensations: Compensations, error: ActivityError | ApplicationError | ParkWith
    ) -> BusinessFailure:
        self._set_stage(SyncStage.COMPENSATING)
        await compensations.run()
        return failure_of(error)

    async def _reserve(self, txn: PosTransaction, compensations: Compensations) -> None:
        reference = self._reference
        self._set_stage(SyncStage.MAPPING)
        if self._admission is None:
            mapping = await self._store(StoreActivities.resolve_mapping, txn)
        elif self._admission.unmapped is not None:
            raise ParkWith(self._admission.unmapped)
        else:
            assert self._admission.mapping is not None, "an admitted ticket is mapped or not"
            mapping = self._admission.mapping
        originals = await self._wait_for_originals(txn)
        order = self._order = plan_erp_order(txn, mapping, reference, originals)

        self._set_stage(SyncStage.RESERVING)
        if self._patched(patches.STOCK_TOLD_WHEN_RELEASED):
            compensations.register(lambda: release_and_tell(reference, order))
        else:
            compensations.register(
                lambda: compensation(ErpActivities.release_if_present, reference)
            )
        reservation = await self._erp(ErpActivities.reserve, order)
        self._merge_refs(reservation)
        await self._record_reservation_notes(txn, order, reservation)

    async def _post_and_pay(self, txn: PosTransaction, compensations: Compensations) -> None:
        reference, order = self._reference, self._booked_order()
        self._set_stage(SyncStage.POSTING)
        plan = self._plan = await self._plan_posting(txn)
        if plan.mode is not PostingMode.PER_TRANSACTION:
            return
        compensations.register(
            lambda: compensation(ErpActivities.cancel_posting_if_present, reference)
        )
        posting = await erp_step(
            ErpActivities.post,
            PostRequest(reference=reference, posting_date=plan.posting.posting_date),
        )
        self._merge_refs(posting.refs)
        # Runs on this path started before the setting reached the check: one minor unit.
        if mismatch := check_posting(order, posting, None):
            raise ParkWith(mismatch)
        if posting.reconciliation is not None and posting.reconciliation.adjusted:
            await self._record_exception(
                txn, tax_rounding_notice(posting.reconciliation), "adjusted within tolerance"
            )
        if order.payments:
            self._set_stage(SyncStage.PAYING)
            compensations.register(
                lambda: compensation(ErpActivities.void_payments_if_present, reference)
            )
            self._merge_refs(
                await erp_step(
                    ErpActivities.pay, PayRequest(reference=reference, payments=order.payments)
                )
            )

    async def _commit(self, txn: PosTransaction, compensations: Compensations) -> None:
        reference = self._reference
        self._set_stage(SyncStage.COMMITTING)
        compensations.register(
            lambda: compensation(ErpActivities.return_stock_if_present, reference)
        )
        self._merge_refs(await erp_step(ErpActivities.commit, reference))
        await self._record_unreferenced_returns(txn)

    async def _record_unreferenced_returns(self, txn: PosTransaction) -> None:
        if any(line.is_return and line.return_of is None for line in txn.lines):
            await self._record_exception(txn, unreferenced_return_notice(txn))

    async def _commit_abandoned(self) -> bool:
        """The books are given up, not the goods: what was booked of them is undone (so no
        ERP posting stands without its ticket), and the stock, which left the till, issued
        (True once it is)."""
        self._set_stage(SyncStage.COMPENSATING)
        reference = self._reference
        undo = Compensations(shielded=self._patched(patches.SHIELDED_COMPENSATIONS))
        undo.register(lambda: compensation(ErpActivities.cancel_posting_if_present, reference))
        undo.register(lambda: compensation(ErpActivities.void_payments_if_present, reference))
        await undo.run()
        self._set_stage(SyncStage.COMMITTING)
        try:
            self._merge_refs(await erp_step(ErpActivities.commit, self._reference))
        except ActivityError as error:
            self._status.failure = failure_of(error)
            return False
        return True

    def _booked_order(self) -> ErpOrder:
        assert self._order is not None, "the books follow a reservation"
        return self._order

    async def _wait_for_originals(self, txn: PosTransaction) -> dict[str, str]:
        """The ERP references of the sales this ticket returns goods from. An offline till may
        replay a return before its original: wait for it, visibly, until the deadline; then
        park rather than guess."""
        if not any(line.return_of for line in txn.lines):
            return {}
        wait = self._submission.original_wait
        deadline = workflow.now() + wait
        pause = policies.ORIGINAL_FIRST_RECHECK
        while True:
            lookup = await self._store(ReturnActivities.find_originals, txn)
            if not lookup.pending:
                return lookup.references
            if workflow.now() >= deadline:
                raise ParkWith(original_missing_failure(lookup.pending, wait))
            self._set_stage(SyncStage.WAITING_ORIGINAL)
            await workflow.sleep(min(pause, deadline - workflow.now()))
            pause = min(pause * 2, policies.ORIGINAL_MAX_RECHECK)
