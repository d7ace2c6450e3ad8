"""What every stock event's saga shares (workflows/transfers.py, workflows/purchase_receipt.py):
its status, the dedupe claim, parking after a business failure until an operator's ``retry``
or ``abandon`` (updates ``retry_parked`` and ``abandon_parked``, signals ``retry`` and
``abandon``), exceptions, the journal and the stock-changed hook."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.stock_store import (
        StockChangeNotice,
        StockExceptionRecord,
        StockOutcomeRecord,
        StockStoreActivities,
        StockSubmission,
    )
    from activities.store import ExceptionResolution, StoreActivities
    from domain.erp_order import ErpOrderRefs
    from domain.operator import OperatorAction, OperatorReply, RetryRequest
    from domain.outcomes import BusinessFailure, ExceptionKind, Outcome, SyncStage, SyncStatus
    from domain.stock_events import AnyStockEvent
    from domain.stock_ledger import LedgerMovement
    from domain.stock_moves import ErpStockRefs
    from workflows import search_attributes as attrs
    from workflows.activity_calls import store_step
    from workflows.parking import REFUSED, OperatorDecision, ParkingRun
    from workflows.saga import Compensations
    from workflows.ticket_run import failure_of, internal_failure

OwnerT = TypeVar("OwnerT")
ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")
Attempt = Callable[[], Awaitable[BusinessFailure | None]]


class StockEventRun(ParkingRun):
    def __init__(self, submission: StockSubmission) -> None:
        self._event: AnyStockEvent = submission.event
        self._status = SyncStatus(
            workflow_id=workflow.info().workflow_id,
            transaction_id=self._event.event_id,
            stage=SyncStage.RECEIVED,
        )
        self._decision: OperatorDecision | None = None
        self._parked_kinds: set[ExceptionKind] = set()
        self._patches: frozenset[str] = frozenset()
        """Set by a kind whose saga has patched branches, first thing in its run
        (patches.taken); a kind without any asks for none (each asked costs a marker)."""

    def _patched(self, patch: str) -> bool:
        return patch in self._patches

    async def _store(self, activity: Callable[[OwnerT, ArgT], ResultT], arg: ArgT) -> ResultT:
        return await store_step(activity, arg)

    def _set_stage(self, stage: SyncStage, outcome: Outcome | None = None) -> None:
        self._status.stage = stage
        if outcome is not None:
            self._status.outcome = outcome
        workflow.upsert_search_attributes([attrs.SYNC_STAGE.value_set(stage.value)])

    def _merge_refs(self, refs: ErpStockRefs) -> None:
        self._status.erp = ErpOrderRefs(reference=refs.reference, shipment_ids=[refs.shipment_id])

    async def _claimed(self, submission: StockSubmission) -> bool:
        claim = await self._store(StockStoreActivities.claim, submission)
        if not claim.is_owner:
            self._set_stage(SyncStage.DUPLICATE, Outcome.DUPLICATE)
        return claim.is_owner

    async def _until_done(self, attempt: Attempt) -> bool:
        """Run ``attempt`` until it succeeds (True), parking after each business failure;
        False when an operator abandons the run."""
        while True:
            try:
                failure = await attempt()
            except (ActivityError, ApplicationError) as error:
                failure = failure_of(error)
            except Exception as error:
                if isinstance(error, workflow.NondeterminismError):
                    raise
                failure = internal_failure(error)
            if failure is None:
                self._status.failure = None
                return True
            decision = await self._park(failure)
            if decision.abandon:
                await self._journal(Outcome.ABANDONED, decision.note)
                await self._resolve_parked(f"abandoned: {decision.note}")
                self._set_stage(SyncStage.ABANDONED, Outcome.ABANDONED)
                return False
            self._status.attempts += 1

    async def _undone_on_failure(
        self, undo: Compensations, step: Callable[[], Awaitable[None]]
    ) -> BusinessFailure | None:
        """Run ``step``; if it fails (or the run is cancelled), run ``undo`` and say why."""
        try:
            await step()
        except (ActivityError, ApplicationError) as error:
            self._set_stage(SyncStage.COMPENSATING)
            await undo.run()
            return failure_of(error)
        except asyncio.CancelledError:
            await undo.run()
            raise
        return None

    async def _park(self, failure: BusinessFailure) -> OperatorDecision:
        return await self._wait_for_operator(failure, lambda: self._record(failure))

    async def _record(self, failure: BusinessFailure, resolution: str | None = None) -> None:
        await self._store(
            StockStoreActivities.open_exception,
            StockExceptionRecord(event=self._event, failure=failure, resolution=resolution),
        )

    async def _resolve_parked(self, resolution: str) -> None:
        if self._parked_kinds:
            await self._store(
                StoreActivities.resolve_exceptions,
                ExceptionResolution(
                    workflow_id=self._event.workflow_id,
                    kinds=sorted(self._parked_kinds),
                    resolution=resolution,
                ),
            )

    async def _journal(
        self, outcome: Outcome, note: str | None, movements: list[LedgerMovement] | None = None
    ) -> None:
        erp = self._status.erp
        await self._store(
            StockStoreActivities.record_outcome,
            StockOutcomeRecord(
                event=self._event,
                outcome=outcome,
                erp_reference=erp.reference if erp else None,
                erp_shipment_id=erp.shipment_ids[0] if erp and erp.shipment_ids else None,
                movements=movements or [],
                note=note,
            ),
        )

    async def _stock_changed(self, store_id: str, product_codes: list[str]) -> None:
        await self._store(
            StockStoreActivities.stock_changed,
            StockChangeNotice(
                store_id=store_id,
                product_codes=sorted(set(product_codes)),
                cause=self._event.workflow_id,
            ),
        )

    async def _posted(self, movements: list[LedgerMovement]) -> SyncStatus:
        self._set_stage(SyncStage.JOURNALING)
        await self._journal(Outcome.POSTED, None, movements)
        await self._resolve_parked(f"posted on attempt {self._status.attempts}")
        self._set_stage(SyncStage.POSTED, Outcome.POSTED)
        return await self._finish()

    @workflow.update
    def retry_parked(self, request: RetryRequest) -> OperatorReply:
        """Run the parked event again (after its cause was fixed)."""
        self._decide(OperatorDecision(abandon=False, note=request.note))
        return self._reply(OperatorAction.RETRY, f"retrying: attempt {self._status.attempts + 1}")

    @retry_parked.validator
    def _validate_retry(self, request: RetryRequest) -> None:
        self._require_parked()
        if request.amended is not None:
            raise ApplicationError(
                "a stock event takes no amended ticket", type=REFUSED, non_retryable=True
            )

    @workflow.update
    def abandon_parked(self, reason: str) -> OperatorReply:
        """Give the event up: journal it as abandoned and resolve its exceptions."""
        self._decide(OperatorDecision(abandon=True, note=reason or "no reason given"))
        return self._reply(
            OperatorAction.ABANDON, "abandoning: journaled as abandoned, its exceptions resolved"
        )

    @abandon_parked.validator
    def _validate_abandon(self, reason: str) -> None:
        self._require_parked()
