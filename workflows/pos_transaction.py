"""The saga of one POS transaction, read top to bottom:

claim (dedupe) -> screen (incomplete tickets and totals) -> map -> reserve -> plan the posting
(mode, and its date: re-dated to the next open period when the period is closed or closing)
-> post (per-transaction mode; daily mode posts a consolidated entry per store-day later)
-> commit -> journal. A business failure compensates what was done, opens an exception and
parks the run until an operator signals ``retry`` (after fixing the cause) or ``abandon``.
"""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, TimeoutError

with workflow.unsafe.imports_passed_through():
    from activities.erp import ErpActivities, PayRequest, PostRequest
    from activities.finance import FinanceActivities, PostingPlanRequest
    from activities.returns import ReturnActivities
    from activities.store import (
        ExceptionRecord,
        ExceptionResolution,
        OutcomeRecord,
        StoreActivities,
    )
    from domain.erp_order import ErpOrder, ErpOrderRefs
    from domain.order_plan import erp_reference, plan_erp_order
    from domain.outcomes import (
        BusinessFailure,
        ExceptionKind,
        Outcome,
        Submission,
        SyncStage,
        SyncStatus,
    )
    from domain.periods import PostingMode, PostingPlan, redating_notice
    from domain.records import (
        original_missing_failure,
        tax_rounding_record,
        unreferenced_return_record,
    )
    from domain.screening import check_posting, screen_totals
    from domain.transaction import PosTransaction
    from workflows import patches, policies
    from workflows import search_attributes as attrs
    from workflows.activity_calls import compensation, erp_step, local_step, store_step
    from workflows.saga import Compensations

OwnerT = TypeVar("OwnerT")
ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")

_FINDABLE_STAGES = {
    SyncStage.RESERVING,
    SyncStage.POSTING,
    SyncStage.WAITING_ORIGINAL,
    SyncStage.COMPENSATING,
    *(stage for stage in SyncStage if stage.is_settled),
}
"""The stages written to the SyncStage search attribute: where a run waits or ends. The steps
between them take milliseconds; the ``status`` query still shows each one."""


class OperatorDecision:
    def __init__(self, *, abandon: bool, note: str) -> None:
        self.abandon = abandon
        self.note = note


@workflow.defn(name="PosTransaction")
class PosTransactionWorkflow:
    @workflow.init
    def __init__(self, submission: Submission) -> None:
        self._status = SyncStatus(
            workflow_id=workflow.info().workflow_id,
            transaction_id=submission.transaction.transaction_id,
            stage=SyncStage.RECEIVED,
        )
        self._submission = submission
        self._decision: OperatorDecision | None = None
        self._parked_kinds: set[ExceptionKind] = set()
        self._order: ErpOrder | None = None
        self._plan: PostingPlan | None = None
        self._local_steps = False

    @workflow.run
    async def run(self, submission: Submission) -> SyncStatus:
        self._local_steps = workflow.patched(patches.LOCAL_STORE_STEPS)
        txn = submission.transaction
        claim = await self._store(StoreActivities.claim, submission)
        if not claim.is_owner:
            self._set_stage(SyncStage.DUPLICATE, Outcome.DUPLICATE)
            return await self._finish()

        self._set_stage(SyncStage.SCREENING)
        if not txn.is_complete:
            await self._journal(txn, Outcome.IGNORED, f"{txn.status.value}: commits no stock")
            self._set_stage(SyncStage.IGNORED, Outcome.IGNORED)
            return await self._finish()

        while True:
            failure = screen_totals(txn) or await self._sync_to_erp(txn)
            if failure is None:
                break
            decision = await self._park(txn, failure)
            if decision.abandon:
                await self._journal(txn, Outcome.ABANDONED, decision.note)
                await self._resolve_exceptions(txn, f"abandoned: {decision.note}")
                self._set_stage(SyncStage.ABANDONED, Outcome.ABANDONED)
                return await self._finish()
            self._status.attempts += 1

        self._set_stage(SyncStage.JOURNALING)
        await self._journal(txn, Outcome.POSTED, None)
        if self._plan is not None and self._plan.redated:
            await self._record_exception(txn, redating_notice(self._plan.posting))
        if self._parked_kinds:
            await self._resolve_exceptions(txn, f"posted on attempt {self._status.attempts}")
        self._set_stage(SyncStage.POSTED, Outcome.POSTED)
        return await self._finish()

    async def _sync_to_erp(self, txn: PosTransaction) -> BusinessFailure | None:
        """map -> reserve -> plan -> post -> commit; on a business failure, undo and say why."""
        compensations = Compensations()
        reference = erp_reference(txn, self._status.attempts)
        try:
            self._set_stage(SyncStage.MAPPING)
            mapping = await self._store(StoreActivities.resolve_mapping, txn)
            originals = await self._wait_for_originals(txn, self._submission.original_wait)
            order = self._order = plan_erp_order(txn, mapping, reference, originals)

            self._set_stage(SyncStage.RESERVING)
            compensations.register(
                lambda: compensation(ErpActivities.release_if_present, reference)
            )
            reservation = await erp_step(ErpActivities.reserve, order)
            self._merge_refs(reservation)
            if reservation.reserved_beyond_stock:
                await self._record_exception(
                    txn,
                    BusinessFailure(
                        kind=ExceptionKind.NEGATIVE_STOCK,
                        message=f"the ERP counted too little stock in {order.warehouse_code}; "
                        "the sale was reserved anyway (the goods left the till)",
                        details={"erp_reference": reference},
                    ),
                )

            self._set_stage(SyncStage.POSTING)
            plan = self._plan = await self._plan_posting(txn)
            if plan.mode is PostingMode.PER_TRANSACTION:
                compensations.register(
                    lambda: compensation(ErpActivities.cancel_posting_if_present, reference)
                )
                posting = await erp_step(
                    ErpActivities.post,
                    PostRequest(reference=reference, posting_date=plan.posting.posting_date),
                )
                self._merge_refs(posting.refs)
                mismatch = check_posting(order, posting)
                if mismatch is not None:
                    raise _ParkWith(mismatch)
                if posting.reconciliation is not None and posting.reconciliation.adjusted:
                    await self._record_exception(
                        txn,
                        tax_rounding_record(posting.reconciliation),
                        "adjusted within tolerance",
                    )
                if order.payments:
                    self._set_stage(SyncStage.PAYING)
                    compensations.register(
                        lambda: compensation(ErpActivities.void_payments_if_present, reference)
                    )
                    self._merge_refs(
                        await erp_step(
                            ErpActivities.pay,
                            PayRequest(reference=reference, payments=order.payments),
                        )
                    )

            self._set_stage(SyncStage.COMMITTING)
            compensations.register(
                lambda: compensation(ErpActivities.return_stock_if_present, reference)
            )
            self._merge_refs(await erp_step(ErpActivities.commit, reference))
            if any(line.is_return and line.return_of is None for line in txn.lines):
                await self._record_exception(txn, unreferenced_return_record(txn))
            return None
        except (ActivityError, ApplicationError, _ParkWith) as error:
            failure = error.failure if isinstance(error, _ParkWith) else _failure_of(error)
            self._set_stage(SyncStage.COMPENSATING)
            await compensations.run()
            return failure
        except asyncio.CancelledError:
            await compensations.run()
            raise

    async def _wait_for_originals(self, txn: PosTransaction, wait: timedelta) -> dict[str, str]:
        """The ERP references of the sales this ticket returns goods from. An offline till may
        replay a return before its original: wait for it, visibly, until the deadline; then
        park rather than guess."""
        if not any(line.return_of for line in txn.lines):
            return {}
        deadline = workflow.now() + wait
        pause = policies.ORIGINAL_FIRST_RECHECK
        while True:
            lookup = await self._store(ReturnActivities.find_originals, txn)
            if not lookup.pending:
                return lookup.references
            if workflow.now() >= deadline:
                raise _ParkWith(original_missing_failure(lookup.pending, wait))
            self._set_stage(SyncStage.WAITING_ORIGINAL)
            await workflow.sleep(min(pause, deadline - workflow.now()))
            pause = min(pause * 2, policies.ORIGINAL_MAX_RECHECK)

    async def _park(self, txn: PosTransaction, failure: BusinessFailure) -> OperatorDecision:
        self._status.failure = failure
        self._parked_kinds.add(failure.kind)
        await self._record_exception(txn, failure)
        workflow.upsert_search_attributes([attrs.EXCEPTION_KIND.value_set(failure.kind.value)])
        self._set_stage(SyncStage.PARKED, Outcome.PARKED)
        self._decision = None
        await workflow.wait_condition(lambda: self._decision is not None)
        decision, self._decision = self._decision, None
        assert decision is not None
        self._status.outcome = None
        return decision

    @workflow.signal
    def retry(self, note: str = "") -> None:
        """Run the saga again from the mapping step (after the cause was fixed)."""
        if self._status.stage is SyncStage.PARKED:
            self._decision = OperatorDecision(abandon=False, note=note)

    @workflow.signal
    def abandon(self, reason: str) -> None:
        """Give the transaction up: journal it as abandoned and resolve its exceptions."""
        if self._status.stage is SyncStage.PARKED:
            self._decision = OperatorDecision(abandon=True, note=reason or "no reason given")

    @workflow.query
    def status(self) -> SyncStatus:
        return self._status

    @workflow.update
    async def wait_settled(self) -> SyncStatus:
        """Return once the run is finished or parked waiting for an operator."""
        await workflow.wait_condition(lambda: self._status.stage.is_settled)
        return self._status

    async def _store(self, activity: Callable[[OwnerT, ArgT], ResultT], arg: ArgT) -> ResultT:
        if self._local_steps:
            return await local_step(activity, arg)
        return await store_step(activity, arg)

    def _set_stage(self, stage: SyncStage, outcome: Outcome | None = None) -> None:
        self._status.stage = stage
        if outcome is not None:
            self._status.outcome = outcome
        if not self._local_steps or stage in _FINDABLE_STAGES:
            workflow.upsert_search_attributes([attrs.SYNC_STAGE.value_set(stage.value)])

    def _merge_refs(self, refs: ErpOrderRefs) -> None:
        current = self._status.erp
        if current is None:
            self._status.erp = refs
            return
        updates = {key: value for key, value in refs.model_dump().items() if value}
        self._status.erp = current.model_copy(update=updates)

    async def _finish(self) -> SyncStatus:
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._status

    async def _journal(self, txn: PosTransaction, outcome: Outcome, note: str | None) -> None:
        await self._store(
            StoreActivities.record_outcome,
            OutcomeRecord(
                transaction=txn,
                outcome=outcome,
                refs=self._status.erp,
                note=note,
                order=self._order,
                posting_mode=self._plan.mode if self._plan else None,
            ),
        )

    async def _record_exception(
        self, txn: PosTransaction, failure: BusinessFailure, resolution: str | None = None
    ) -> None:
        await self._store(
            StoreActivities.open_exception,
            ExceptionRecord(transaction=txn, failure=failure, resolution=resolution),
        )

    async def _resolve_exceptions(self, txn: PosTransaction, resolution: str) -> None:
        """Resolve what parked this run; exceptions recorded for review stay open."""
        await self._store(
            StoreActivities.resolve_exceptions,
            ExceptionResolution(
                workflow_id=txn.workflow_id,
                kinds=sorted(self._parked_kinds),
                resolution=resolution,
            ),
        )

    async def _plan_posting(self, txn: PosTransaction) -> PostingPlan:
        request = PostingPlanRequest(business_date=txn.business_date)
        if self._local_steps:
            return await local_step(FinanceActivities.plan_posting, request, policies.ERP_RETRY)
        return await erp_step(FinanceActivities.plan_posting, request)


class _ParkWith(Exception):
    def __init__(self, failure: BusinessFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _failure_of(error: ActivityError | ApplicationError) -> BusinessFailure:
    """The business reason behind a failed activity (or why its retries ran out). A local
    activity's failure arrives as the activity's own error, not wrapped in an ActivityError."""
    cause = error.cause if isinstance(error, ActivityError) else error
    if isinstance(cause, ApplicationError) and cause.details:
        return BusinessFailure.model_validate(cause.details[0])
    if isinstance(cause, TimeoutError):
        return BusinessFailure(
            kind=ExceptionKind.ERP_UNAVAILABLE,
            message="the ERP did not answer within the retry window; retry when it is back",
        )
    return BusinessFailure(
        kind=ExceptionKind.ERP_REJECTED, message=str(cause or error) or type(error).__name__
    )
