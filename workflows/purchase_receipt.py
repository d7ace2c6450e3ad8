"""The saga of a supplier delivery counted at a store against the ERP's purchase order, read
top to bottom:

claim (dedupe) -> map the store and the SKUs -> read the purchase order (what is still on
order per line) -> plan: each product's count fills its open lines; over deliveries go on
the last line, items not on the order are received on their own -> book the supplier
shipment, done (compensation: give up a shipment left half-booked, registered first) -> short,
over and unordered products become exceptions owned by inventory -> stock changed at the
store -> journal. A business failure (unknown purchase order, unmapped SKU, ERP refusal)
compensates and parks until an operator's ``retry`` or ``abandon``.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.stock_erp import PurchaseOrderRequest, StockErpActivities
    from activities.stock_store import (
        EventMapping,
        EventMappingRequest,
        StockStoreActivities,
        StockSubmission,
    )
    from domain.ids import purchase_receipt_reference
    from domain.outcomes import BusinessFailure, SyncStage, SyncStatus
    from domain.stock_events import PurchaseReceipt
    from domain.stock_ledger import MovementCause, received_movements
    from domain.stock_moves import (
        ErpPurchaseReceipt,
        ErpStockRefs,
        PurchaseReceiptPlan,
        erp_lines,
        plan_purchase_receipt,
    )
    from workflows.activity_calls import compensation, erp_step
    from workflows.saga import Compensations
    from workflows.stock_event_run import StockEventRun


@workflow.defn(name="PurchaseReceipt")
class PurchaseReceiptWorkflow(StockEventRun):
    @workflow.init
    def __init__(self, submission: StockSubmission) -> None:
        super().__init__(submission)
        assert isinstance(submission.event, PurchaseReceipt)
        self._receipt: PurchaseReceipt = submission.event
        self._plan: PurchaseReceiptPlan | None = None
        self._sent = False
        """Whether an attempt sent the plan to the ERP: a retry sends the same plan again
        (booked once, by its reference), never one re-read from what the first booked."""
        self._refs: ErpStockRefs | None = None
        self._warehouse = ""

    @workflow.run
    async def run(self, submission: StockSubmission) -> SyncStatus:
        if not await self._claimed(submission) or not await self._until_done(self._book):
            return await self._finish()
        plan = self._plan
        assert plan is not None
        for record in plan.records:
            await self._record(record)
        received = self._refs.received if self._refs else {}
        await self._stock_changed(self._receipt.store_id, list(received))
        return await self._posted(
            received_movements(self._warehouse, MovementCause.RECEIPT, received)
        )

    async def _book(self) -> BusinessFailure | None:
        event = self._receipt
        self._set_stage(SyncStage.MAPPING)
        mapped: EventMapping = await self._store(
            StockStoreActivities.resolve_mapping, EventMappingRequest(event=event)
        )
        self._warehouse = mapped.mapping.warehouse_code
        reference = purchase_receipt_reference(event.store_id, event.event_id)
        self._set_stage(SyncStage.POSTING)
        undo = Compensations(shielded=True)

        async def receive() -> None:
            if not self._sent:
                order = await erp_step(
                    StockErpActivities.purchase_order,
                    PurchaseOrderRequest(
                        number=event.purchase_order, warehouse_code=self._warehouse
                    ),
                )
                self._plan = plan_purchase_receipt(order, erp_lines(event.lines, mapped.mapping))
            plan = self._plan
            assert plan is not None
            if not plan.lines:
                return
            self._sent = True
            undo.register(
                lambda: compensation(
                    StockErpActivities.cancel_purchase_receipt_if_present, reference
                )
            )
            self._refs = await erp_step(
                StockErpActivities.receive_purchase,
                ErpPurchaseReceipt(
                    reference=reference,
                    purchase_order=event.purchase_order,
                    warehouse_code=self._warehouse,
                    received_on=event.business_date,
                    lines=plan.lines,
                ),
            )
            self._merge_refs(self._refs)

        return await self._undone_on_failure(undo, receive)
