"""The one protocol every ERP connector implements (docs/connectors.md walks through it).

Every write is idempotent: it carries ``ErpOrder.reference`` (the transaction's workflow id)
into the ERP and looks the document up by it before creating anything, so a step that timed
out after taking effect can run again safely. Compensations are ``*_if_present``: they do
nothing when there is nothing to undo. What the ERP calls its documents comes back as opaque
strings (``domain.erp_ids.ErpId``); only the connector that made one reads it.
"""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, Protocol, runtime_checkable

from domain.consolidation import ConsolidatedRefs, ConsolidationBatch
from domain.erp_order import ErpOrder, ErpOrderRefs, ErpPayment, ErpPostingResult, StockLevel
from domain.master_data import ErpMasterData
from domain.periods import ErpPeriod
from domain.reconciliation import ErpInvoiceFigures, ErpMoveFigures
from domain.stock_moves import (
    ErpPurchaseOrder,
    ErpPurchaseReceipt,
    ErpStockRefs,
    ErpTransfer,
    ErpTransferReceipt,
)


class ReserveRequest(NamedTuple):
    order: ErpOrder
    tolerance: Decimal | None = None


ReserveOutcome = ErpOrderRefs | Exception
"""The refs of a reserved order, or the error (an ErpError, or anything unexpected) that
stopped that one order: one ticket's failure never fails the others of its batch."""

CommitOutcome = ErpOrderRefs | Exception
"""The refs of an order whose stock was issued, or the error that stopped that one order."""


class ErpConnector(Protocol):
    async def check_codes(self, warehouse_code: str, product_codes: list[str]) -> None:
        """Raise ErpUnknownCodes for a warehouse or products the ERP does not have."""

    async def create_customer_if_missing(self, code: str) -> bool:
        """Create the customer the till knows as ``code`` (a party with that code) unless the
        ERP has one; True when this call created it. However often it runs, even twice at
        once, the ERP ends with one customer of that code."""

    async def reserve(self, order: ErpOrder, tolerance: Decimal | None = None) -> ErpOrderRefs:
        """Create (or find) the sales order and reserve its stock in the warehouse.

        The order's document carries the till's net and taxes exactly: a difference from the
        ERP's own computation within ``tolerance`` (default: one minor unit per line) is
        booked as an adjustment, beyond it ErpTotalsMismatch names both figures. Returned
        lines are booked against their original (ErpReturnRefused when it does not allow them)
        and restocked by condition.
        """

    async def reserve_many(self, requests: Sequence[ReserveRequest]) -> list[ReserveOutcome]:
        """``reserve`` for several orders at once (of one warehouse or several), in as few ERP
        calls as the ERP allows; one outcome per request, in order. Each order stays its own
        document (or its own identifiable lines), found and undone by its own reference."""

    async def release_if_present(self, reference: str) -> None:
        """Undo ``reserve``: cancel the reservation and the order, if they exist."""

    async def post(self, reference: str, posting_date: date) -> ErpPostingResult:
        """Post the order's invoice on ``posting_date`` (revenue, tax, COGS); idempotent."""

    async def cancel_posting_if_present(self, reference: str) -> None:
        """Undo ``post``: reverse the posted invoice, if there is one."""

    async def pay(self, reference: str, payments: list[ErpPayment]) -> ErpOrderRefs:
        """Record the tenders as payments of the posted invoice, each on its own account."""

    async def void_payments_if_present(self, reference: str) -> None:
        """Undo ``pay``: reverse the payments, the invoice back to unpaid."""

    async def commit(self, reference: str) -> ErpOrderRefs:
        """Turn the reservation into stock issued from the warehouse; idempotent."""

    async def commit_many(self, references: Sequence[str]) -> list[CommitOutcome]:
        """``commit`` for several orders at once (of one warehouse or several), in as few ERP
        calls as the ERP allows; one outcome per reference, in order."""

    async def issue_reserved(self, references: Sequence[str]) -> list[CommitOutcome]:
        """Issue the stock still reserved under ``references`` (sales that return nothing,
        booked in daily mode), together, in as few ERP calls as the ERP allows; one outcome per
        reference, in order. Issued already or nothing reserved (services only): unchanged."""

    async def return_stock_if_present(self, reference: str) -> None:
        """Undo ``commit``: bring issued stock back into the warehouse, if it left."""

    async def stock_level(self, product_code: str, warehouse_code: str) -> StockLevel:
        """On-hand and available quantity of a product in a warehouse."""

    async def stock_levels(
        self, product_codes: Sequence[str], warehouse_code: str
    ) -> list[StockLevel]:
        """``stock_level`` of many products at once, in as few ERP calls as the ERP allows;
        products the ERP does not have are left out (ErpUnknownCodes for the warehouse)."""

    async def master_data(self, since: datetime | None) -> ErpMasterData:
        """Salable items (with their price lists' prices), promotions and tax rates the ERP
        wrote at or after ``since`` (None: all of them): what the tills are sent."""

    async def aclose(self) -> None:
        """Release connections."""


class ErpBooks(Protocol):
    """Finance's side of the ERP: periods, daily consolidated postings, and posted figures."""

    async def periods_from(self, day: date) -> list[ErpPeriod]:
        """The standard periods that contain ``day`` or come after it, oldest first."""

    async def close_period(self, erp_id: str) -> ErpPeriod:
        """Close the period (ErpRejected when the ERP refuses, e.g. draft entries in it)."""

    async def reopen_period(self, erp_id: str) -> ErpPeriod:
        """Reopen a closed period."""

    async def posted_invoices(self, start: date, end: date) -> list[ErpInvoiceFigures]:
        """The standing posted invoices of POS sales dated in [start, end]."""

    async def post_consolidated(
        self, batch: ConsolidationBatch, posting_date: date
    ) -> ConsolidatedRefs:
        """Book a day's consolidated posting on ``posting_date``; idempotent by batch key."""

    async def consolidated_moves(self, move_ids: list[str]) -> list[ErpMoveFigures]:
        """The consolidated postings with these ERP ids, as the ERP holds them now."""

    async def aclose(self) -> None:
        """Release connections."""


@runtime_checkable
class ErpStockMoves(Protocol):
    """Stock that moves without a sale: transfers between warehouses, and supplier deliveries
    received against purchase orders. Idempotent by reference like every write."""

    async def dispatch_transfer(self, transfer: ErpTransfer) -> ErpStockRefs:
        """Book the goods out of the sending warehouse into transit (found by reference)."""

    async def cancel_transfer_if_present(self, reference: str) -> None:
        """Undo a dispatch not received yet: the goods back into the sending warehouse."""

    async def find_transfer(self, reference: str) -> ErpStockRefs | None:
        """The transfer booked under ``reference`` (its dispatched or received quantities)."""

    async def receive_transfer(self, receipt: ErpTransferReceipt) -> ErpStockRefs:
        """Book what arrived into the receiving warehouse; what was dispatched and did not
        arrive stays in transit. ErpRejected when the transfer was never dispatched."""

    async def purchase_order(self, number: str, warehouse_code: str) -> ErpPurchaseOrder:
        """The open purchase order delivering to the warehouse, with what is still on order
        per line (ErpUnknownCodes ``purchase order`` when there is none)."""

    async def receive_purchase(self, receipt: ErpPurchaseReceipt) -> ErpStockRefs:
        """Book the counted delivery as the supplier shipment of the purchase, done."""

    async def cancel_purchase_receipt_if_present(self, reference: str) -> None:
        """Give up a supplier shipment that is not done: its purchase moves go back on order."""
