"""MemoryErp's ErpStockMoves calls: each one counted, delayed and faulted like every call."""

from connectors.erp.memory.calls import MemoryCalls
from connectors.erp.memory.stock_moves import StockMovements
from domain.stock_moves import (
    ErpPurchaseOrder,
    ErpPurchaseReceipt,
    ErpStockRefs,
    ErpTransfer,
    ErpTransferReceipt,
)


class StockMoveCalls(MemoryCalls):
    """Mixed into MemoryErp, which provides ``_call`` and ``_movements``. Transfers and
    receipts take effect at once, so undoing a receipt never finds half of one."""

    _movements: StockMovements

    async def dispatch_transfer(self, transfer: ErpTransfer) -> ErpStockRefs:
        return await self._call(
            "dispatch_transfer", transfer.reference, lambda: self._movements.dispatch(transfer)
        )

    async def cancel_transfer_if_present(self, reference: str) -> None:
        await self._call(
            "cancel_transfer_if_present",
            reference,
            lambda: self._movements.cancel_dispatch(reference),
        )

    async def find_transfer(self, reference: str) -> ErpStockRefs | None:
        return await self._call(
            "find_transfer", reference, lambda: self._movements.find_transfer(reference)
        )

    async def receive_transfer(self, receipt: ErpTransferReceipt) -> ErpStockRefs:
        return await self._call(
            "receive_transfer", receipt.reference, lambda: self._movements.receive(receipt)
        )

    async def purchase_order(self, number: str, warehouse_code: str) -> ErpPurchaseOrder:
        return await self._call(
            "purchase_order",
            None,
            lambda: self._movements.purchase_order(number, warehouse_code),
        )

    async def receive_purchase(self, receipt: ErpPurchaseReceipt) -> ErpStockRefs:
        return await self._call(
            "receive_purchase",
            receipt.reference,
            lambda: self._movements.receive_purchase(receipt),
        )

    async def cancel_purchase_receipt_if_present(self, reference: str) -> None:
        await self._call("cancel_purchase_receipt_if_present", reference, lambda: None)
