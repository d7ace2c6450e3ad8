"""TrytonConnector: the ErpConnector steps as Tryton sale, shipment and invoice calls.

Each step is told here; the sale (sales.py), its shipments and stock (shipments.py), tickets
booked as shipments alone (ticket_shipments.py), codes to ids (codes.py), the invoice's
posting and payments (invoice_posting.py) and returned lines (returns.py) each have their own
module. The connector and its books share one client (client.py). Tryton's ids leave the
connector as strings (``domain.erp_ids``) and come back to it as such.
"""

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from connectors.erp.base import CommitOutcome, ReserveOutcome, ReserveRequest
from connectors.erp.errors import ErpRejected
from connectors.erp.tryton.books import TrytonBooks
from connectors.erp.tryton.client import TrytonClient
from connectors.erp.tryton.documents import SaleRecord
from connectors.erp.tryton.invoice_posting import InvoicePosting
from connectors.erp.tryton.invoicing import InvoiceTaxes
from connectors.erp.tryton.master_data import TrytonMasterData
from connectors.erp.tryton.purchase_receipts import TrytonPurchaseReceipts
from connectors.erp.tryton.rest import Record
from connectors.erp.tryton.restocking import ReturnRestocking
from connectors.erp.tryton.returns import Returns
from connectors.erp.tryton.sales import TrytonSales
from connectors.erp.tryton.shipments import TrytonShipments
from connectors.erp.tryton.states import (
    CANCELLED,
    DONE,
    DRAFT,
    DRAFT_INVOICE_STATES,
    OPEN_SHIPMENT_STATES,
    SALE_BEFORE_CONFIRMED,
    SALE_TO_CONFIRM,
)
from connectors.erp.tryton.stock_moves import TrytonStockMoves
from connectors.erp.tryton.ticket_shipments import TicketShipments, customer_code_of
from connectors.erp.tryton.transfers import TrytonTransfers
from domain.erp_order import ErpOrder, ErpOrderRefs, ErpPayment, ErpPostingResult, StockLevel
from domain.master_data import ErpMasterData
from domain.periods import PostingMode
from domain.returns import ReturnableQuantity


class TrytonConnector(TrytonStockMoves):
    """The ErpConnector (and ErpStockMoves, ErpInspection) for a Tryton 8 server with sale,
    stock, account_invoice and purchase."""

    def __init__(
        self, client: TrytonClient, *, posting_mode: PostingMode = PostingMode.PER_TRANSACTION
    ) -> None:
        """A client without a JSON-RPC user cannot ``pay`` (REST does not expose reconciling
        payments), nor book daily mode's tickets as shipments in batches."""
        self._client = client
        self._rest = self._client.rest
        self._codes = self._client.codes
        invoice_taxes = InvoiceTaxes(self._rest)
        self._returns = Returns(self._rest)
        self._restocking = ReturnRestocking(self._rest)
        self._sales = TrytonSales(
            self._rest, self._codes, self._returns, invoice_taxes, posting_mode
        )
        self._invoices = InvoicePosting(self._client, self._sales, invoice_taxes)
        self._shipments = TrytonShipments(self._rest, self._codes)
        self._transfers = TrytonTransfers(self._rest, self._codes)
        self._purchase_receipts = TrytonPurchaseReceipts(self._rest, self._codes)
        # Daily mode books a ticket that returns nothing as a shipment alone, in batches over
        # JSON-RPC (ticket_shipments.py); per-transaction mode books each ticket's sale.
        self._ticket_shipments = (
            TicketShipments(self._client.rpc, self._codes)
            if self._client.rpc is not None and posting_mode is PostingMode.DAILY
            else None
        )
        self._returns.shipped_line = (
            self._ticket_shipments.shipped_line if self._ticket_shipments else None
        )

    def books(self) -> TrytonBooks:
        """Finance's side of the same Tryton, on this connector's client."""
        return TrytonBooks(self._client)

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent to Tryton so far, REST and JSON-RPC."""
        return self._client.requests_sent

    async def ping(self) -> None:
        await self._rest.read("company.company", self._client.company_id, ["id"])

    async def check_codes(self, warehouse_code: str, product_codes: list[str]) -> None:
        await asyncio.gather(
            self._codes.warehouse(warehouse_code), self._codes.products(product_codes)
        )

    async def create_customer_if_missing(self, code: str) -> bool:
        return await self._codes.create_party_if_missing(code)

    async def find_order(self, reference: str) -> ErpOrderRefs | None:
        sale = await self._sales.find(reference)
        if sale is not None:
            return sale.refs(reference)
        shipment = await self._ticket_shipment(reference)
        if shipment is None:
            return None
        return ErpOrderRefs(
            reference=reference,
            shipment_ids=[str(shipment["id"])],
            customer_code=customer_code_of(shipment),
        )

    def _stock_only(self, order: ErpOrder) -> bool:
        return self._ticket_shipments is not None and order.returns_nothing

    async def _ticket_shipment(self, reference: str) -> Record | None:
        if self._ticket_shipments is None:
            return None
        return (await self._ticket_shipments.find([reference])).get(reference)

    async def reserve(self, order: ErpOrder, tolerance: Decimal | None = None) -> ErpOrderRefs:
        """Also books the till's net and taxes on the draft invoice (within ``tolerance``,
        default one minor unit per line; beyond it ErpTotalsMismatch), links returned lines to
        their original and sends damaged returns to the damaged-goods location."""
        if self._stock_only(order):
            [outcome] = await self.reserve_many([ReserveRequest(order, tolerance)])
            if isinstance(outcome, Exception):
                raise outcome
            return outcome
        sale = await self._sales.find(order.reference)
        if sale is None:
            sale = await self._keep_the_first(order, await self._sales.confirm(order, None))
        elif sale.state in SALE_TO_CONFIRM:
            sale = await self._sales.confirm(order, sale)
        if sale.state == CANCELLED:
            raise ErpRejected(f"sale {sale.number} for {order.reference} is cancelled")
        invoice = sale.invoice
        if invoice is not None and invoice.state in DRAFT_INVOICE_STATES:
            await self._returns.link_to_originals(order, invoice.id)
            await self._sales.book_till_figures(order, invoice.id, tolerance)
        if await self._restocking.restock_damaged(order, sale.id):
            sale = await self._sales.read(sale.id)
        forced = [
            await self._shipments.assign(shipment_id, state)
            for shipment_id, state in sale.shipments.items()
        ]
        return sale.refs(order.reference).model_copy(update={"reserved_beyond_stock": any(forced)})

    async def reserve_many(self, requests: Sequence[ReserveRequest]) -> list[ReserveOutcome]:
        """The batch's stock-only orders together (daily mode); each sale one after the
        other: a batch holds one of the worker's ERP call slots, and Tryton gains nothing from
        concurrent writers."""
        outcomes: dict[int, ReserveOutcome] = {}
        stock_only = [i for i, request in enumerate(requests) if self._stock_only(request.order)]
        if self._ticket_shipments is not None and stock_only:
            shipped = await self._ticket_shipments.reserve([requests[i].order for i in stock_only])
            outcomes.update(zip(stock_only, shipped, strict=True))
        for index, request in enumerate(requests):
            if index in outcomes:
                continue
            try:
                outcomes[index] = await self._check_and_reserve(request)
            except Exception as error:
                outcomes[index] = error
        return [outcomes[index] for index in range(len(requests))]

    async def _check_and_reserve(self, request: ReserveRequest) -> ErpOrderRefs:
        order = request.order
        await self.check_codes(
            order.warehouse_code, [line.product_code for line in order.product_lines]
        )
        return await self.reserve(order, request.tolerance)

    async def _keep_the_first(self, order: ErpOrder, sale: SaleRecord) -> SaleRecord:
        """A sale this call created and confirmed, unless another call reserving the same
        ticket created one first (on PostgreSQL the first may commit last, seen only now):
        then this one is released and the first one stands."""
        first = await self._sales.find(order.reference)
        if first is None or first.id == sale.id:
            return sale
        await self._release(sale)
        return await self._sales.confirm(order, first)

    async def release_if_present(self, reference: str) -> None:
        sale = await self._sales.find(reference)
        if sale is None and self._ticket_shipments is not None:
            await self._ticket_shipments.release(reference)
        if sale is not None:
            await self._release(sale)

    async def _release(self, sale: SaleRecord) -> None:
        if sale.state == CANCELLED:
            return
        if sale.state in SALE_BEFORE_CONFIRMED:
            await self._rest.click("sale.sale", sale.id, "cancel")
            return
        cancelled = False
        for shipment_id, state in sale.shipments.items():
            if state in OPEN_SHIPMENT_STATES:
                await self._rest.click("stock.shipment.out", shipment_id, "cancel")
                cancelled = True
        for shipment_id, state in sale.shipment_returns.items():
            if state == DRAFT:
                await self._rest.click("stock.shipment.out.return", shipment_id, "cancel")
                cancelled = True
        for invoice in sale.invoices:
            if invoice.state in DRAFT_INVOICE_STATES:
                await self._rest.click("account.invoice", invoice.id, "cancel")
                cancelled = True
        if cancelled or sale.state != DONE:
            await self._sales.close_cancelled(sale.id)

    async def post(self, reference: str, posting_date: date) -> ErpPostingResult:
        return await self._invoices.post(reference, posting_date)

    async def cancel_posting_if_present(self, reference: str) -> None:
        await self._invoices.cancel_posting_if_present(reference)

    async def pay(self, reference: str, payments: list[ErpPayment]) -> ErpOrderRefs:
        return await self._invoices.pay(reference, payments)

    async def void_payments_if_present(self, reference: str) -> None:
        await self._invoices.void_payments_if_present(reference)

    async def returnable_quantity(
        self, original_reference: str, original_line_number: int
    ) -> ReturnableQuantity:
        """What line ``original_line_number`` (the POS line number) of the sale booked under
        ``original_reference`` sold, and what returns took back so far."""
        return await self._returns.returnable(original_reference, original_line_number)

    async def commit(self, reference: str) -> ErpOrderRefs:
        [outcome] = await self.commit_many([reference])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def commit_many(self, references: Sequence[str]) -> list[CommitOutcome]:
        """The batch's ticket shipments packed and done together; each sale's one by one."""
        shipped = await self._ticket_shipments.issue(references) if self._ticket_shipments else {}
        outcomes: list[CommitOutcome] = []
        for reference in references:
            try:
                outcomes.append(shipped.get(reference) or await self._commit_sale(reference))
            except Exception as error:
                outcomes.append(error)
        return outcomes

    async def issue_reserved(self, references: Sequence[str]) -> list[CommitOutcome]:
        """The ticket shipments found under ``references``, packed and done together."""
        if self._ticket_shipments is None:
            return [ErpOrderRefs(reference=reference) for reference in references]
        issued = await self._ticket_shipments.issue(references)
        return [
            issued.get(reference) or ErpOrderRefs(reference=reference) for reference in references
        ]

    async def _commit_sale(self, reference: str) -> ErpOrderRefs:
        sale = await self._sales.require(reference)
        for shipment_id, state in sale.shipments.items():
            await self._shipments.issue(reference, shipment_id, state)
        for shipment_id, state in sale.shipment_returns.items():
            await self._shipments.receive_return(shipment_id, state)
        return sale.refs(reference)

    async def return_stock_if_present(self, reference: str) -> None:
        """Also sends back what a return received (an exchange: both)."""
        sale = await self._sales.find(reference)
        shipment = None if sale else await self._ticket_shipment(reference)
        if shipment is not None and shipment["state"] == DONE:
            await self._shipments.return_issued(reference, [shipment["id"]])
        if sale is not None and DONE in sale.shipment_returns.values():
            await self._restocking.cancel_received(sale.id)
        issued = [id_ for id_, state in (sale.shipments if sale else {}).items() if state == DONE]
        if issued:
            await self._shipments.return_issued(reference, issued)

    async def stock_level(self, product_code: str, warehouse_code: str) -> StockLevel:
        return await self._shipments.stock_level(product_code, warehouse_code)

    async def stock_levels(
        self, product_codes: Sequence[str], warehouse_code: str
    ) -> list[StockLevel]:
        return await self._shipments.stock_levels(product_codes, warehouse_code)

    async def master_data(self, since: datetime | None) -> ErpMasterData:
        return await TrytonMasterData(self._rest).read(since)

    async def aclose(self) -> None:
        await self._client.aclose()
