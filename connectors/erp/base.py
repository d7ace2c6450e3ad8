"""The one protocol every ERP connector implements.

Every write is idempotent: it carries ``ErpOrder.reference`` (the transaction's workflow id)
into the ERP and looks the document up by it before creating anything, so a step that timed
out after taking effect can run again safely. Compensations are ``*_if_present``: they do
nothing when there is nothing to undo.
"""

from datetime import date
from typing import Protocol

from domain.erp_order import ErpOrder, ErpOrderRefs, ErpPostingResult, StockLevel


class ErpConnector(Protocol):
    async def ping(self) -> None:
        """Raise ErpUnavailable unless the ERP answers."""

    async def check_codes(self, warehouse_code: str, product_codes: list[str]) -> None:
        """Raise ErpUnknownCodes for a warehouse or products the ERP does not have."""

    async def reserve(self, order: ErpOrder) -> ErpOrderRefs:
        """Create (or find) the sales order and reserve its stock in the warehouse."""

    async def release_if_present(self, reference: str) -> None:
        """Undo ``reserve``: cancel the reservation and the order, if they exist."""

    async def post(self, reference: str, posting_date: date) -> ErpPostingResult:
        """Post the order's invoice on ``posting_date`` (revenue, tax, COGS); idempotent."""

    async def cancel_posting_if_present(self, reference: str) -> None:
        """Undo ``post``: reverse the posted invoice, if there is one."""

    async def commit(self, reference: str) -> ErpOrderRefs:
        """Turn the reservation into stock issued from the warehouse; idempotent."""

    async def return_stock_if_present(self, reference: str) -> None:
        """Undo ``commit``: bring issued stock back into the warehouse, if it left."""

    async def find_order(self, reference: str) -> ErpOrderRefs | None:
        """The order booked under ``reference``, or None."""

    async def stock_level(self, product_code: str, warehouse_code: str) -> StockLevel:
        """On-hand and available quantity of a product in a warehouse."""

    async def aclose(self) -> None:
        """Release connections."""
