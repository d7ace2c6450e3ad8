"""The stages of a ticket's saga (workflows/pos_transaction.py runs them until each is done):
stock (screen -> map -> reserve, undone on a business failure), books (plan -> post, pay,
commit in one ERP step, forward only), and, for runs started before HOT_PATH, all of it at
once as separate steps; each step registers its compensation before it runs.
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.admission import Admission, AdmissionActivities, AdmissionRequest
    from activities.erp import BookRequest, ErpActivities, PayRequest, PostRequest
    from activities.store import StoreActivities
    from domain.erp_order import ErpOrder
    from domain.hot_path import journaled_once_reserved
    from domain.ids import erp_reference, legacy_workflow_id
    from domain.operator import ParkedStage
    from domain.order_plan import plan_erp_order
    from domain.outcomes import BusinessFailure, Submission, SyncStage
    from domain.periods import PostingMode
    from domain.review_notices import tax_rounding_notice, unreferenced_return_notice
    from domain.screening import check_posting, screen_totals
    from domain.transaction import PosTransaction
    from workflows import patches
    from workflows.activity_calls import compensation, erp_step
    from workflows.original_wait import WaitsForOriginals
    from workflows.saga import Compensations
    from workflows.stock_release import release_and_tell, release_codes_and_tell
    from workflows.ticket_run import ParkWith, failure_of, internal_failure, parks_unexpected

Step = Callable[[PosTransaction, Compensations], Awaitable[None]]


class TicketStages(WaitsForOriginals):
    def __init__(self, submission: Submission) -> None:
        super().__init__(submission)
        self._reference = ""
        self._admission: Admission | None = None
        """What ticket.admit settled for the first attempt; dropped once the run parks."""
        """The ERP reference of the current attempt."""

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
            if self._issued_at_posting(order, plan.mode):
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
            return self._failure_of(error, ParkedStage.BOOKS)
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

    def _issued_at_posting(self, order: ErpOrder, mode: PostingMode) -> bool:
        """A daily-mode sale's books are the day's posting's: it issues the reserved stock."""
        return journaled_once_reserved(order, mode) and self._patched(
            patches.STOCK_ISSUED_AT_POSTING
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
            self._reference = self._attempt_reference(txn)
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

    def _attempt_reference(self, txn: PosTransaction) -> str:
        """The ERP reference the current attempt books under."""
        ticket_id = (
            txn.workflow_id
            if self._patched(patches.ESCAPED_IDS)
            else legacy_workflow_id(txn.store_id, txn.terminal_id, txn.transaction_id)
        )
        return erp_reference(ticket_id, self._status.attempts)

    async def _compensate(
        self, compensations: Compensations, error: ActivityError | ApplicationError | ParkWith
    ) -> BusinessFailure:
        self._set_stage(SyncStage.COMPENSATING)
        await compensations.run()
        return self._failure_of(error, ParkedStage.STOCK)

    async def _reserve(self, txn: PosTransaction, compensations: Compensations) -> None:
        reference = self._reference
        admitted = self._admitted_reservation(reference)
        if admitted is not None:
            # First: whatever fails from here gives back what the admission reserved (or sent).
            codes = admitted.reserved_codes
            compensations.register(lambda: release_codes_and_tell(reference, txn.store_id, codes))
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

        answered = admitted is not None and (
            admitted.refusal is not None or admitted.reservation is not None
        )
        self._set_stage(
            SyncStage.RESERVING,
            waits=not (answered and self._patched(patches.STAGE_WHERE_WAITED)),
        )
        if admitted is not None and admitted.refusal is not None:
            raise ParkWith(admitted.refusal)
        if admitted is not None and admitted.reservation is not None:
            reservation, self._reserved_at = admitted.reservation, admitted.reserved_at
        else:  # not sent by the admission, or not answered: reserved (or found) now
            if admitted is None:
                self._register_release(compensations, reference, order)
            reservation = await self._erp(ErpActivities.reserve, order)
            self._reserved_at = workflow.now()
        self._merge_refs(reservation)
        await self._record_reservation_notes(txn, order, reservation)

    async def _admit_and_reserve(self, submission: Submission) -> Admission:
        """ticket.admit_and_reserve, which a cancel lets finish: then what it reserved and did
        not journal is given back, as the stock stage's compensation would; a sale it journaled
        stands, booked (the day's posting issues it), as if the cancel came a moment later."""
        reference = self._attempt_reference(submission.transaction)
        request = AdmissionRequest(submission=submission, reference=reference)
        admit: Coroutine[Any, Any, Admission] = self._store(
            AdmissionActivities.admit_and_reserve, request
        )
        admitting = asyncio.ensure_future(admit)
        try:
            return await asyncio.shield(admitting)
        except asyncio.CancelledError:
            try:
                admission = await admitting
            except Exception:
                raise asyncio.CancelledError() from None
            if admission.reserved_under == reference and not admission.journaled:
                store_id, codes = submission.transaction.store_id, admission.reserved_codes
                undo = Compensations(shielded=True)
                undo.register(lambda: release_codes_and_tell(reference, store_id, codes))
                await undo.run()
            raise

    def _register_release(
        self, compensations: Compensations, reference: str, order: ErpOrder
    ) -> None:
        if self._patched(patches.STOCK_TOLD_WHEN_RELEASED):
            compensations.register(lambda: release_and_tell(reference, order))
        else:
            compensations.register(
                lambda: compensation(ErpActivities.release_if_present, reference)
            )

    def _admitted_reservation(self, reference: str) -> Admission | None:
        """The admission, when it sent a reservation under ``reference`` (this attempt's):
        reserved, refused (perhaps once it had reserved), or not answered in time."""
        admitted = self._admission
        return admitted if admitted and admitted.reserved_under == reference else None

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
