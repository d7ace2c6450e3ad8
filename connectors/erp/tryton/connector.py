"""TrytonConnector: the ErpConnector steps as Tryton sale, shipment and invoice calls.

Each step is told here; the sale (sales.py), its shipments and stock (shipments.py), codes to
ids (codes.py), invoice dates (numbering.py), the till's figures (invoicing.py), payments
(payments.py) and returned lines (returns.py) each have their own module.
"""

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from connectors.erp.base import CommitOutcome, ReserveOutcome, ReserveRequest
from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.erp.tryton.codes import TrytonCodes
from connectors.erp.tryton.documents import (
    DRAFT_INVOICE_STATES,
    INVOICE_FIELDS,
    OPEN_SHIPMENT_STATES,
    InvoiceRecord,
)
from connectors.erp.tryton.invoicing import InvoiceTaxes
from connectors.erp.tryton.master_data import TrytonMasterData
from connectors.erp.tryton.numbering import invoice_numbering_date
from connectors.erp.tryton.payments import InvoicePayments
from connectors.erp.tryton.purchase_receipts import TrytonPurchaseReceipts
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.returns import Returns
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton.sales import TrytonSales
from connectors.erp.tryton.shipments import TrytonShipments
from connectors.erp.tryton.stock_moves import TrytonStockMoves
from connectors.erp.tryton.ticket_shipments import TicketShipments, customer_code_of
from connectors.erp.tryton.transfers import TrytonTransfers
from domain.erp_order import ErpOrder, ErpOrderRefs, ErpPayment, ErpPostingResult, StockLevel
from domain.master_data import ErpMasterData
from domain.periods import PostingMode
from domain.returns import ReturnableQuantity

_NUMBERING_ATTEMPTS = 3
_NUMBERED_AFTER = "you must set an invoice date after"  # Tryton's msg_invoice_number_after


class TrytonConnector(TrytonStockMoves):
    """The ErpConnector (and ErpStockMoves) for a Tryton 8 server with sale, stock,
    account_invoice and purchase."""

    def __init__(
        self,
        base_url: str,
        database: str,
        api_key: str,
        company_id: int,
        *,
        timeout: float = 30.0,
        posting_mode: PostingMode = PostingMode.PER_TRANSACTION,
        rpc_login: str | None = None,
        rpc_password: str | None = None,
    ) -> None:
        """``rpc_login`` and ``rpc_password``: the ERP user for JSON-RPC, which reconciling
        payments needs (REST does not expose it); without them ``pay`` is refused."""
        self._rest = TrytonRest(base_url, database, api_key, company_id, timeout=timeout)
        self._rpc = (
            TrytonRpc(base_url, database, rpc_login, rpc_password, timeout=timeout)
            if rpc_login and rpc_password
            else None
        )
        self._codes = TrytonCodes(self._rest)
        self._invoice_taxes = InvoiceTaxes(self._rest)
        self._returns = Returns(self._rest)
        self._payments = InvoicePayments(self._rest, self._rpc, company_id)
        self._sales = TrytonSales(
            self._rest, self._codes, self._returns, self._invoice_taxes, posting_mode
        )
        self._shipments = TrytonShipments(self._rest, self._codes)
        self._transfers = TrytonTransfers(self._rest, self._codes)
        self._purchase_receipts = TrytonPurchaseReceipts(self._rest, self._codes)
        # Daily mode books a ticket that returns nothing as a shipment alone, in batches over
        # JSON-RPC (ticket_shipments.py); per-transaction mode books each ticket's sale.
        self._ticket_shipments = (
            TicketShipments(self._rpc, self._codes)
            if self._rpc is not None and posting_mode is PostingMode.DAILY
            else None
        )
        self._returns.shipped_line = (
            self._ticket_shipments.shipped_line if self._ticket_shipments else None
        )
        self._company_id = company_id
        self._posting = asyncio.Lock()

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent to Tryton so far, REST and JSON-RPC."""
        return self._rest.requests_sent + (self._rpc.requests_sent if self._rpc else 0)

    async def ping(self) -> None:
        await self._rest.read("company.company", self._company_id, ["id"])

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
            shipment_ids=[shipment["id"]],
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
        if sale is None or sale.state in {"draft", "quotation", "confirmed"}:
            sale = await self._sales.confirm(order, sale)
        if sale.state == "cancelled":
            raise ErpRejected(f"sale {sale.number} for {order.reference} is cancelled")
        invoice = sale.invoice
        if invoice is not None and invoice.state in DRAFT_INVOICE_STATES:
            await self._returns.link_to_originals(order, invoice.id)
            await self._sales.book_till_figures(order, invoice.id, tolerance)
        if await self._returns.restock_damaged(order, sale.id):
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

    async def release_if_present(self, reference: str) -> None:
        sale = await self._sales.find(reference)
        if sale is None and self._ticket_shipments is not None:
            await self._ticket_shipments.release(reference)
        if sale is None or sale.state == "cancelled":
            return
        if sale.state in {"draft", "quotation"}:
            await self._rest.click("sale.sale", sale.id, "cancel")
            return
        cancelled = False
        for shipment_id, state in sale.shipments.items():
            if state in OPEN_SHIPMENT_STATES:
                await self._rest.click("stock.shipment.out", shipment_id, "cancel")
                cancelled = True
        for shipment_id, state in sale.shipment_returns.items():
            if state == "draft":
                await self._rest.click("stock.shipment.out.return", shipment_id, "cancel")
                cancelled = True
        for invoice in sale.invoices:
            if invoice.state in DRAFT_INVOICE_STATES:
                await self._rest.click("account.invoice", invoice.id, "cancel")
                cancelled = True
        if cancelled or sale.state != "done":
            await self._sales.close_cancelled(sale.id)

    async def post(self, reference: str, posting_date: date) -> ErpPostingResult:
        sale = await self._sales.require(reference)
        invoice = sale.invoice
        if invoice is None:
            raise ErpRejected(f"sale {sale.number} for {reference} has no invoice to post")
        if invoice.state == "cancelled":
            raise ErpRejected(f"the invoice of {reference} was cancelled")
        if invoice.state in DRAFT_INVOICE_STATES:
            # Tryton numbers the company's invoices one at a time (its strict sequence is
            # locked until the post commits; the others get 503): this worker's posts queue
            # here rather than compete for it.
            async with self._posting:
                invoice = await self._post_invoice(invoice.id, posting_date)
        reconciliation = await self._invoice_taxes.booked_figures(invoice.id)
        return ErpPostingResult(
            refs=sale.refs(reference, invoice),
            net_total=invoice.untaxed_amount,
            tax_total=invoice.tax_amount,
            gross_total=invoice.total_amount,
            tax_adjustment=reconciliation.tax_adjustment,
            reconciliation=reconciliation,
        )

    async def _post_invoice(self, invoice_id: int, posting_date: date) -> InvoiceRecord:
        """Date and post a draft invoice. Another worker may number an invoice dated later
        between choosing the date and posting: Tryton refuses, and the date is chosen again."""
        for attempt in range(1, _NUMBERING_ATTEMPTS + 1):
            dates = {
                "invoice_date": await invoice_numbering_date(
                    self._rest, self._company_id, posting_date
                ),
                "accounting_date": posting_date,
            }
            await self._rest.write("account.invoice", invoice_id, dates)
            try:
                posted = await self._rest.click(
                    "account.invoice", invoice_id, "post", INVOICE_FIELDS
                )
            except ErpRejected as refusal:
                if attempt < _NUMBERING_ATTEMPTS and _NUMBERED_AFTER in str(refusal):
                    continue
                raise
            return InvoiceRecord.parse(posted)
        raise AssertionError("unreachable")

    async def pay(self, reference: str, payments: list[ErpPayment]) -> ErpOrderRefs:
        """Record the till's tenders as payments of the posted invoice, each on its tender
        type's account; the invoice ends paid. Idempotent."""
        sale = await self._sales.require(reference)
        invoice = sale.invoice
        if invoice is None or invoice.state not in {"posted", "paid"}:
            raise ErpRejected(f"the invoice of {reference} must be posted before it is paid")
        await self._payments.pay(reference, invoice.id, payments)
        return (await self._sales.read(sale.id)).refs(reference)

    async def void_payments_if_present(self, reference: str) -> None:
        """Undo ``pay``: reverse the tenders' payments; the invoice is posted and unpaid."""
        sale = await self._sales.find(reference)
        for invoice in sale.invoices if sale else []:
            if invoice.state in {"posted", "paid"}:
                await self._payments.void_if_present(reference, invoice.id)

    async def returnable_quantity(
        self, original_reference: str, original_line_number: int
    ) -> ReturnableQuantity:
        """What line ``original_line_number`` (the POS line number) of the sale booked under
        ``original_reference`` sold, and what returns took back so far."""
        return await self._returns.returnable(original_reference, original_line_number)

    async def cancel_posting_if_present(self, reference: str) -> None:
        """Also voids the invoice's payments first: a paid invoice cannot be cancelled."""
        sale = await self._sales.find(reference)
        for invoice in sale.invoices if sale else []:
            if invoice.state in {"posted", "paid"}:
                await self._payments.void_if_present(reference, invoice.id)
                cancelled = await self._rest.click("account.invoice", invoice.id, "cancel")
                if cancelled["state"] != "cancelled":  # Tryton skips an invoice still paid
                    raise ErpUnavailable(
                        f"Tryton left the invoice of {reference} {cancelled['state']}"
                    )

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
        if shipment is not None and shipment["state"] == "done":
            await self._shipments.return_issued(reference, [shipment["id"]])
        if sale is not None and "done" in sale.shipment_returns.values():
            await self._returns.cancel_received(sale.id)
        issued = [id_ for id_, state in (sale.shipments if sale else {}).items() if state == "done"]
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
        await self._rest.aclose()
        if self._rpc is not None:
            await self._rpc.aclose()
