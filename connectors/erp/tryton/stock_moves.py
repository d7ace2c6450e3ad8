"""TrytonConnector's ErpStockMoves: transfers (transfers.py) and supplier receipts
(purchase_receipts.py)."""

from connectors.erp.tryton.purchase_receipts import TrytonPurchaseReceipts
from connectors.erp.tryton.transfers import TrytonTransfers
from domain.stock_moves import (
    ErpPurchaseOrder,
    ErpPurchaseReceipt,
    ErpStockRefs,
    ErpTransfer,
    ErpTransferReceipt,
)


class TrytonStockMoves:
    """Mixed into TrytonConnector, which sets ``_transfers`` and ``_purchase_receipts``."""

    _transfers: TrytonTransfers
    _purchase_receipts: TrytonPurchaseReceipts

    async def dispatch_transfer(self, transfer: ErpTransfer) -> ErpStockRefs:
        return await self._transfers.dispatch(transfer)

    async def cancel_transfer_if_present(self, reference: str) -> None:
        await self._transfers.cancel_dispatch(reference)

    async def find_transfer(self, reference: str) -> ErpStockRefs | None:
        return await self._transfers.find(reference)

    async def receive_transfer(self, receipt: ErpTransferReceipt) -> ErpStockRefs:
        return await self._transfers.receive(receipt)

    async def purchase_order(self, number: str, warehouse_code: str) -> ErpPurchaseOrder:
        return await self._purchase_receipts.purchase_order(number, warehouse_code)

    async def receive_purchase(self, receipt: ErpPurchaseReceipt) -> ErpStockRefs:
        return await self._purchase_receipts.receive(receipt)

    async def cancel_purchase_receipt_if_present(self, reference: str) -> None:
        await self._purchase_receipts.cancel_if_present(reference)
