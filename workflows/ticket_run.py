"""The state of one ticket's run and its bookkeeping steps (store, journal, exceptions, stage),
shared by the saga's stages (workflows/ticket_stages.py) and its run (pos_transaction.py)."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    TemporalError,
    TimeoutError,
)

with workflow.unsafe.imports_passed_through():
    from activities.errors import failure_in
    from activities.finance import FinanceActivities, PostingPlanRequest
    from activities.store import (
        ExceptionRecord,
        ExceptionResolution,
        OutcomeRecord,
        StoreActivities,
    )
    from domain.erp_order import ErpOrder, ErpOrderRefs
    from domain.operator import ParkedStage, cancelled_failure
    from domain.outcomes import (
        BusinessFailure,
        ExceptionKind,
        ExceptionReport,
        Outcome,
        Submission,
        SyncStage,
        SyncStatus,
    )
    from domain.periods import PostingPlan
    from domain.review_notices import negative_stock_notice, unknown_customer_notice
    from domain.transaction import PosTransaction
    from workflows import patches
    from workflows import search_attributes as attrs
    from workflows.activity_calls import (
        erp_step,
        local_erp_step,
        local_once_then,
        local_step,
        store_step,
    )
    from workflows.parking import OperatorDecision, ParkingRun

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


class ParkWith(Exception):
    def __init__(self, failure: BusinessFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class TicketRun(ParkingRun):
    def __init__(self, submission: Submission) -> None:
        self._status = SyncStatus(
            workflow_id=workflow.info().workflow_id,
            transaction_id=submission.transaction.transaction_id,
            stage=SyncStage.RECEIVED,
        )
        self._submission = submission
        self._patches: frozenset[str] = frozenset()
        self._ticket = submission.transaction
        """The ticket the stages screen and book: the submitted one, or a retry's amendment."""
        self._parked_in: ParkedStage | None = None
        self._decision: OperatorDecision | None = None
        self._parked_kinds: set[ExceptionKind] = set()
        self._order: ErpOrder | None = None
        self._plan: PostingPlan | None = None
        self._local_steps = False
        self._reserved_at: datetime | None = None
        """When the ERP reserved the booked order's stock (the stock ledger's booking time)."""

    def _patched(self, patch: str) -> bool:
        """Whether this run takes ``patch`` (asked once, at its start: patches.taken)."""
        return patch in self._patches

    async def _store(
        self,
        activity: Callable[[OwnerT, ArgT], ResultT] | Callable[[OwnerT, ArgT], Awaitable[ResultT]],
        arg: ArgT,
    ) -> ResultT:
        if self._patched(patches.SLOW_STEPS_LEAVE_THE_TASK):
            return await local_once_then(store_step, activity, arg)
        if self._local_steps:
            return await local_step(activity, arg)
        return await store_step(activity, arg)

    async def _erp(
        self, activity: Callable[[OwnerT, ArgT], Awaitable[ResultT]], arg: ArgT
    ) -> ResultT:
        """An ERP step on the hot path (HOT_PATH: inside the workflow task)."""
        if self._patched(patches.SLOW_STEPS_LEAVE_THE_TASK):
            return await local_once_then(erp_step, activity, arg)
        if self._local_steps:
            return await local_erp_step(activity, arg)
        return await erp_step(activity, arg)

    def _set_stage(
        self, stage: SyncStage, outcome: Outcome | None = None, *, waits: bool = True
    ) -> None:
        """``waits``: False where the run moves on within the workflow task (nothing to find)."""
        self._status.stage = stage
        if outcome is not None:
            self._status.outcome = outcome
        if not self._local_steps or (waits and stage in _FINDABLE_STAGES):
            workflow.upsert_search_attributes([attrs.SYNC_STAGE.value_set(stage.value)])

    def _merge_refs(self, refs: ErpOrderRefs) -> None:
        current = self._status.erp
        self._status.erp = refs if current is None else current.updated_by(refs)

    async def _journal(
        self, txn: PosTransaction, outcome: Outcome, note: str | None, *, stock_issued: bool = False
    ) -> None:
        await self._store(
            StoreActivities.record_outcome,
            OutcomeRecord(
                transaction=txn,
                outcome=outcome,
                refs=self._status.erp,
                note=note,
                order=self._order,
                posting_mode=self._plan.mode if self._plan else None,
                stock_issued=stock_issued,
                reserved_at=self._reserved_at,
            ),
        )

    async def _record_exception(
        self, txn: PosTransaction, failure: ExceptionReport, resolution: str | None = None
    ) -> None:
        await self._store(
            StoreActivities.open_exception,
            ExceptionRecord(transaction=txn, failure=failure, resolution=resolution),
        )

    async def _record_reservation_notes(
        self, txn: PosTransaction, order: ErpOrder, reservation: ErpOrderRefs
    ) -> None:
        """What a reservation that took hold leaves for people to review."""
        if reservation.reserved_beyond_stock:
            await self._record_exception(
                txn, negative_stock_notice(order.warehouse_code, order.reference)
            )
        customer = reservation.unknown_customer
        if customer and self._patched(patches.UNKNOWN_CUSTOMER_RECORDED):
            await self._record_exception(txn, unknown_customer_notice(customer, order.reference))

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
        return await self._erp(FinanceActivities.plan_posting, request)

    def _clear_failure(self) -> None:
        """What parked the run is behind it: no longer shown by ``status`` nor findable."""
        self._status.failure = None
        workflow.upsert_search_attributes([attrs.EXCEPTION_KIND.value_unset()])

    def _failure_of(
        self, error: ActivityError | ApplicationError | ParkWith, stage: ParkedStage
    ) -> BusinessFailure:
        """Why ``stage`` failed; a cancel that reached its ERP step says so (CANCELLED_KIND)."""
        cause = error.cause if isinstance(error, ActivityError) else error
        if isinstance(cause, CancelledError) and self._patched(patches.CANCELLED_KIND):
            return cancelled_failure(stage)
        return failure_of(error)

    async def _park(self, txn: PosTransaction, failure: BusinessFailure) -> OperatorDecision:
        return await self._wait_for_operator(failure, lambda: self._record_exception(txn, failure))


def failure_of(error: ActivityError | ApplicationError | ParkWith) -> BusinessFailure:
    """The business reason behind a failed step (or why its retries ran out). A local
    activity's failure arrives as the activity's own error, not wrapped in an ActivityError."""
    if isinstance(error, ParkWith):
        return error.failure
    cause = error.cause if isinstance(error, ActivityError) else error
    if failure := failure_in(cause):
        return failure
    if isinstance(cause, TimeoutError):
        return BusinessFailure(
            kind=ExceptionKind.ERP_UNAVAILABLE,
            message="the ERP did not answer within the retry window; retry when it is back",
        )
    return BusinessFailure(
        kind=ExceptionKind.ERP_REJECTED, message=str(cause or error) or type(error).__name__
    )


def parks_unexpected(error: Exception, taken: frozenset[str]) -> bool:
    """Whether ``error``, raised by the workflow's own code, parks the run as internal_error.

    Temporal's own errors keep their meaning (a failed step's error is handled where it is
    awaited; a nondeterminism error must fail the workflow task until the code is fixed)."""
    if isinstance(error, TemporalError | workflow.NondeterminismError):
        return False
    return patches.INTERNAL_ERROR_PARKS in taken


def internal_failure(error: Exception) -> BusinessFailure:
    described = f"{type(error).__name__}: {error}"[:500]
    return BusinessFailure(
        kind=ExceptionKind.INTERNAL_ERROR,
        message=f"an unexpected error inside the workflow ({described}); retry once it is fixed",
        details={"error_type": type(error).__name__},
    )
