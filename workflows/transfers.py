"""The sagas of a transfer between two stores, read top to bottom.

Dispatch (the sending till confirmed what left): claim (dedupe: one dispatch per transfer)
-> map both stores and the SKUs -> book the goods out of the sending warehouse into transit
(compensation: bring them back and tell the sending store's tills, registered first) -> stock
changed at the sending store -> journal.

Receipt (the receiving till confirmed what arrived): claim -> map -> wait for the dispatch
to be booked (an offline till may send the receipt first; parks as dispatch_missing after
the wait) -> book what arrived into the receiving warehouse -> the differences become
exceptions owned by inventory (what did not arrive stays in transit, named) -> stock changed
at the receiving store -> journal. A receipt books forward only: the goods are in the store,
so a failure parks it and a retry books under the same reference.

A business failure parks either saga until an operator's ``retry`` or ``abandon``.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.stock_erp import StockErpActivities
    from activities.stock_store import (
        EventMapping,
        EventMappingRequest,
        StockStoreActivities,
        StockSubmission,
    )
    from domain.outcomes import BusinessFailure, ExceptionKind, SyncStage, SyncStatus
    from domain.stock_events import TransferDispatch, TransferReceipt
    from domain.stock_ledger import LedgerMovement, MovementCause, received_movements
    from domain.stock_moves import (
        ErpStockRefs,
        ErpTransfer,
        ErpTransferReceipt,
        erp_lines,
        transfer_records,
    )
    from workflows import patches, policies
    from workflows.activity_calls import compensation, erp_step
    from workflows.saga import Compensations
    from workflows.stock_event_run import StockEventRun
    from workflows.stock_release import cancel_dispatch_and_tell
    from workflows.ticket_run import failure_of


@workflow.defn(name="TransferDispatch")
class TransferDispatchWorkflow(StockEventRun):
    @workflow.init
    def __init__(self, submission: StockSubmission) -> None:
        super().__init__(submission)
        assert isinstance(submission.event, TransferDispatch)
        self._dispatch: TransferDispatch = submission.event
        self._booked: ErpTransfer | None = None

    @workflow.run
    async def run(self, submission: StockSubmission) -> SyncStatus:
        self._patches = patches.taken()
        if not await self._claimed(submission) or not await self._until_done(self._book):
            return await self._finish()
        transfer = self._booked
        assert transfer is not None
        await self._stock_changed(
            self._dispatch.store_id, [line.product_code for line in transfer.lines]
        )
        return await self._posted(
            [
                LedgerMovement(
                    warehouse_code=transfer.from_warehouse,
                    product_code=line.product_code,
                    cause=MovementCause.TRANSFER_OUT,
                    quantity=-line.quantity,
                )
                for line in transfer.lines
            ]
        )

    async def _book(self) -> BusinessFailure | None:
        event = self._dispatch
        self._set_stage(SyncStage.MAPPING)
        mapped: EventMapping = await self._store(
            StockStoreActivities.resolve_mapping,
            EventMappingRequest(event=event, other_store_id=event.to_store_id),
        )
        assert mapped.other_warehouse_code is not None
        transfer = ErpTransfer(
            reference=event.transfer_reference,
            from_warehouse=mapped.mapping.warehouse_code,
            to_warehouse=mapped.other_warehouse_code,
            dispatched_on=event.business_date,
            lines=[line for line in erp_lines(event.lines, mapped.mapping) if line.quantity > 0],
        )
        self._set_stage(SyncStage.POSTING)
        undo = Compensations(shielded=True)
        reference = transfer.reference
        if self._patched(patches.STOCK_TOLD_WHEN_DISPATCH_UNDONE):
            codes = [line.product_code for line in transfer.lines]
            undo.register(lambda: cancel_dispatch_and_tell(reference, event.store_id, codes))
        else:
            undo.register(
                lambda: compensation(StockErpActivities.cancel_transfer_if_present, reference)
            )

        async def dispatch() -> None:
            self._merge_refs(await erp_step(StockErpActivities.dispatch_transfer, transfer))
            self._booked = transfer

        return await self._undone_on_failure(undo, dispatch)


@workflow.defn(name="TransferReceipt")
class TransferReceiptWorkflow(StockEventRun):
    @workflow.init
    def __init__(self, submission: StockSubmission) -> None:
        super().__init__(submission)
        assert isinstance(submission.event, TransferReceipt)
        self._receipt: TransferReceipt = submission.event
        self._wait_seconds = submission.dispatch_wait_seconds
        self._refs: ErpStockRefs | None = None
        self._warehouse = ""

    @workflow.run
    async def run(self, submission: StockSubmission) -> SyncStatus:
        if not await self._claimed(submission) or not await self._until_done(self._book):
            return await self._finish()
        refs = self._refs
        assert refs is not None
        for record in transfer_records(refs.reference, refs.dispatched, refs.received):
            await self._record(record)
        await self._stock_changed(self._receipt.store_id, list(refs.received))
        return await self._posted(
            received_movements(self._warehouse, MovementCause.TRANSFER_IN, refs.received)
        )

    async def _book(self) -> BusinessFailure | None:
        event = self._receipt
        self._set_stage(SyncStage.MAPPING)
        mapped: EventMapping = await self._store(
            StockStoreActivities.resolve_mapping,
            EventMappingRequest(event=event, other_store_id=event.from_store_id),
        )
        self._warehouse = mapped.mapping.warehouse_code
        if missing := await self._wait_for_dispatch():
            return missing
        self._set_stage(SyncStage.POSTING)
        try:
            self._refs = await erp_step(
                StockErpActivities.receive_transfer,
                ErpTransferReceipt(
                    reference=event.transfer_reference,
                    received_on=event.business_date,
                    lines=erp_lines(event.lines, mapped.mapping),
                ),
            )
        except (ActivityError, ApplicationError) as error:
            return failure_of(error)
        self._merge_refs(self._refs)
        return None

    async def _wait_for_dispatch(self) -> BusinessFailure | None:
        reference = self._receipt.transfer_reference
        deadline = workflow.now() + timedelta(seconds=self._wait_seconds)
        pause = policies.ORIGINAL_FIRST_RECHECK
        while not await self._store(StockStoreActivities.dispatch_booked, reference):
            if workflow.now() >= deadline:
                return BusinessFailure(
                    kind=ExceptionKind.DISPATCH_MISSING,
                    message=f"transfer {reference} was received but its dispatch was never"
                    " booked; retry once the sending store's dispatch is in",
                    details={"transfer": reference, "from_store": self._receipt.from_store_id},
                )
            self._set_stage(SyncStage.WAITING_ORIGINAL)
            await workflow.sleep(min(pause, deadline - workflow.now()))
            pause = min(pause * 2, policies.ORIGINAL_MAX_RECHECK)
        return None
