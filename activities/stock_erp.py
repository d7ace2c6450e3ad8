"""ERP activities of stock events (transfers and purchase receipts), over ErpStockMoves.

Refusals become business failures like a sale's (activities.erp.erp_call); compensations
retry every error until the ERP takes the undo.
"""

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from temporalio import activity

from activities.erp import erp_call
from activities.heartbeat import heartbeating
from connectors.erp.base import ErpStockMoves
from domain.stock_moves import (
    ErpPurchaseOrder,
    ErpPurchaseReceipt,
    ErpStockRefs,
    ErpTransfer,
    ErpTransferReceipt,
)


class PurchaseOrderRequest(BaseModel):
    number: str
    warehouse_code: str


class StockErpActivities:
    def __init__(self, moves: ErpStockMoves) -> None:
        self._erp = moves

    @activity.defn(name="erp.dispatch_transfer")
    async def dispatch_transfer(self, transfer: ErpTransfer) -> ErpStockRefs:
        async with erp_call():
            return await self._erp.dispatch_transfer(transfer)

    @activity.defn(name="erp.cancel_transfer_if_present")
    async def cancel_transfer_if_present(self, reference: str) -> None:
        async with heartbeating():
            await self._erp.cancel_transfer_if_present(reference)

    @activity.defn(name="erp.receive_transfer")
    async def receive_transfer(self, receipt: ErpTransferReceipt) -> ErpStockRefs:
        async with erp_call():
            return await self._erp.receive_transfer(receipt)

    @activity.defn(name="erp.purchase_order")
    async def purchase_order(self, request: PurchaseOrderRequest) -> ErpPurchaseOrder:
        async with erp_call():
            return await self._erp.purchase_order(request.number, request.warehouse_code)

    @activity.defn(name="erp.receive_purchase")
    async def receive_purchase(self, receipt: ErpPurchaseReceipt) -> ErpStockRefs:
        async with erp_call():
            return await self._erp.receive_purchase(receipt)

    @activity.defn(name="erp.cancel_purchase_receipt_if_present")
    async def cancel_purchase_receipt_if_present(self, reference: str) -> None:
        async with heartbeating():
            await self._erp.cancel_purchase_receipt_if_present(reference)

    def definitions(self) -> list[Callable[..., Any]]:
        return [
            self.dispatch_transfer,
            self.cancel_transfer_if_present,
            self.receive_transfer,
            self.purchase_order,
            self.receive_purchase,
            self.cancel_purchase_receipt_if_present,
        ]
