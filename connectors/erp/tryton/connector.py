"""TrytonConnector: the ErpConnector steps as Tryton sale, shipment and invoice calls."""

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.erp.errors import ErpRejected, ErpUnknownCodes
from connectors.erp.tryton.invoicing import InvoiceTaxes
from connectors.erp.tryton.payments import InvoicePayments
from connectors.erp.tryton.records import (
    CASH_SALE_CODE,
    DISCOUNT_PRODUCT_CODES,
    DRAFT_INVOICE_STATES,
    INVOICE_FIELDS,
    OPEN_SHIPMENT_STATES,
    SALE_FIELDS,
    InvoiceRecord,
    PartyRecord,
    ProductRecord,
    SaleRecord,
    WarehouseRecord,
)
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.returns import Returns, line_note
from connectors.erp.tryton.rpc import TrytonRpc
from domain.erp_order import (
    ErpDiscountLine,
    ErpOrder,
    ErpOrderRefs,
    ErpPayment,
    ErpPostingResult,
    ErpProductLine,
    StockLevel,
)
from domain.periods import PostingMode
from domain.returns import ReturnableQuantity
from domain.screening import posting_tolerance


class TrytonConnector:
    """The ErpConnector for a Tryton 8 server with sale, stock and account_invoice."""

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
        self._invoice_taxes = InvoiceTaxes(self._rest)
        self._returns = Returns(self._rest)
        self._payments = InvoicePayments(self._rest, self._rpc, company_id)
        self._company_id = company_id
        # Daily posting mode books no invoice per sale: a consolidated posting books the day.
        self._invoice_method = "order" if posting_mode is PostingMode.PER_TRANSACTION else "manual"
        self._warehouses: dict[str, WarehouseRecord] = {}
        self._products: dict[str, ProductRecord] = {}
        self._parties: dict[str, PartyRecord] = {}
        self._taxes: dict[str, int] = {}
        self._currencies: dict[str, int] = {}

    @property
    def requests_sent(self) -> int:
        return self._rest.requests_sent

    async def ping(self) -> None:
        await self._rest.read("company.company", self._company_id, ["id"])

    async def check_codes(self, warehouse_code: str, product_codes: list[str]) -> None:
        await asyncio.gather(self._warehouse(warehouse_code), self._products_by_code(product_codes))

    async def find_order(self, reference: str) -> ErpOrderRefs | None:
        sale = await self._find_sale(reference)
        return sale.refs(reference) if sale else None

    async def reserve(self, order: ErpOrder, tolerance: Decimal | None = None) -> ErpOrderRefs:
        """Also books the till's net and taxes on the draft invoice (within ``tolerance``,
        default one minor unit per line; beyond it ErpTotalsMismatch), links returned lines to
        their original and sends damaged returns to the damaged-goods location."""
        sale = await self._find_sale(order.reference)
        if sale is None or sale.state in {"draft", "quotation", "confirmed"}:
            sale = await self._confirm(order, sale)
        if sale.state == "cancelled":
            raise ErpRejected(f"sale {sale.number} for {order.reference} is cancelled")
        invoice = sale.invoice
        if invoice is not None and invoice.state in DRAFT_INVOICE_STATES:
            await self._returns.link_to_originals(order, invoice.id)
            await self._book_till_figures(order, invoice.id, tolerance)
        if await self._returns.restock_damaged(order, sale.id):
            sale = await self._read_sale(sale.id)
        forced = [
            await self._assign(shipment_id, state) for shipment_id, state in sale.shipments.items()
        ]
        return sale.refs(order.reference).model_copy(update={"reserved_beyond_stock": any(forced)})

    async def release_if_present(self, reference: str) -> None:
        sale = await self._find_sale(reference)
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
            await self._close_cancelled(sale.id)

    async def post(self, reference: str, posting_date: date) -> ErpPostingResult:
        sale = await self._require_sale(reference)
        invoice = sale.invoice
        if invoice is None:
            raise ErpRejected(f"sale {sale.number} for {reference} has no invoice to post")
        if invoice.state == "cancelled":
            raise ErpRejected(f"the invoice of {reference} was cancelled")
        if invoice.state in DRAFT_INVOICE_STATES:
            dates = {
                "invoice_date": await self._numbering_date(posting_date),
                "accounting_date": posting_date,
            }
            await self._rest.write("account.invoice", invoice.id, dates)
            invoice = InvoiceRecord.parse(
                await self._rest.click("account.invoice", invoice.id, "post", INVOICE_FIELDS)
            )
        reconciliation = await self._invoice_taxes.booked_figures(invoice.id)
        return ErpPostingResult(
            refs=sale.refs(reference, invoice),
            net_total=invoice.untaxed_amount,
            tax_total=invoice.tax_amount,
            gross_total=invoice.total_amount,
            tax_adjustment=reconciliation.tax_adjustment,
            reconciliation=reconciliation,
        )

    async def pay(self, reference: str, payments: list[ErpPayment]) -> ErpOrderRefs:
        """Record the till's tenders as payments of the posted invoice, each on its tender
        type's account; the invoice ends paid. Idempotent."""
        sale = await self._require_sale(reference)
        invoice = sale.invoice
        if invoice is None or invoice.state not in {"posted", "paid"}:
            raise ErpRejected(f"the invoice of {reference} must be posted before it is paid")
        await self._payments.pay(reference, invoice.id, payments)
        return (await self._read_sale(sale.id)).refs(reference)

    async def void_payments_if_present(self, reference: str) -> None:
        """Undo ``pay``: reverse the tenders' payments; the invoice is posted and unpaid."""
        sale = await self._find_sale(reference)
        for invoice in sale.invoices if sale else []:
            if invoice.state in {"posted", "paid"}:
                await self._payments.void_if_present(reference, invoice.id)

    async def returnable_quantity(
        self, original_reference: str, original_line_number: int
    ) -> ReturnableQuantity:
        """What line ``original_line_number`` (the POS line number) of the sale booked under
        ``original_reference`` sold, and what returns took back so far."""
        return await self._returns.returnable(original_reference, original_line_number)

    async def _numbering_date(self, posting_date: date) -> date:
        """The invoice date that keeps Tryton's invoice numbers chronological.

        Tryton refuses to number a customer invoice dated before one already numbered in the
        same fiscal year's sequence. A replayed (older) sale therefore takes the latest
        numbered invoice date of its fiscal year as its document date, while its accounting
        date, which decides the period and the books, stays the posting date.
        """
        fiscal_years = await self._rest.search(
            "account.fiscalyear",
            [
                ("company", "=", self._company_id),
                ("start_date", "<=", posting_date),
                ("end_date", ">=", posting_date),
            ],
            ["end_date"],
        )
        if not fiscal_years:
            return posting_date
        later = await self._rest.search(
            "account.invoice",
            [
                ("company", "=", self._company_id),
                ("type", "=", "out"),
                ("number", "!=", None),
                ("invoice_date", ">", posting_date),
                ("invoice_date", "<=", fiscal_years[0]["end_date"]),
            ],
            ["invoice_date"],
            order=[("invoice_date", "DESC")],
            limit=1,
        )
        latest: date = later[0]["invoice_date"] if later else posting_date
        return latest

    async def cancel_posting_if_present(self, reference: str) -> None:
        """Also voids the invoice's payments first: a paid invoice cannot be cancelled."""
        sale = await self._find_sale(reference)
        for invoice in sale.invoices if sale else []:
            if invoice.state in {"posted", "paid"}:
                await self._payments.void_if_present(reference, invoice.id)
                await self._rest.click("account.invoice", invoice.id, "cancel")

    async def commit(self, reference: str) -> ErpOrderRefs:
        sale = await self._require_sale(reference)
        for shipment_id, state in sale.shipments.items():
            if state == "assigned":
                state = (await self._rest.click("stock.shipment.out", shipment_id, "pack"))["state"]
            if state == "packed":
                state = (await self._rest.click("stock.shipment.out", shipment_id, "do"))["state"]
            if state != "done":
                raise ErpRejected(f"shipment {shipment_id} of {reference} is {state}, not reserved")
        for shipment_id, state in sale.shipment_returns.items():
            await self._receive_return(shipment_id, state)
        return sale.refs(reference)

    async def return_stock_if_present(self, reference: str) -> None:
        """Also sends back what a return received (an exchange: both)."""
        sale = await self._find_sale(reference)
        if sale is not None and "done" in sale.shipment_returns.values():
            await self._returns.cancel_received(sale.id)
        issued = [id_ for id_, state in (sale.shipments if sale else {}).items() if state == "done"]
        if not issued:
            return
        returns = await self._rest.search(
            "stock.shipment.out.return",
            [("reference", "=", reference), ("state", "!=", "cancelled")],
            ["state"],
        )
        if not returns:
            returns = [await self._create_return(reference, shipment_id) for shipment_id in issued]
        for shipment in returns:
            await self._receive_return(shipment["id"], shipment["state"])

    async def stock_level(self, product_code: str, warehouse_code: str) -> StockLevel:
        warehouse, products = await asyncio.gather(
            self._warehouse(warehouse_code), self._products_by_code([product_code])
        )
        product = products[product_code]
        on_hand, available = await asyncio.gather(
            self._quantity(product.id, warehouse.storage_id, count_assigned_as_gone=False),
            self._quantity(product.id, warehouse.storage_id, count_assigned_as_gone=True),
        )
        return StockLevel(
            product_code=product_code,
            warehouse_code=warehouse_code,
            on_hand=on_hand,
            available=available,
        )

    async def aclose(self) -> None:
        await self._rest.aclose()
        if self._rpc is not None:
            await self._rpc.aclose()

    # Sales

    async def _find_sale(self, reference: str) -> SaleRecord | None:
        records = await self._rest.search("sale.sale", [("reference", "=", reference)], SALE_FIELDS)
        return SaleRecord.parse(records[0]) if records else None

    async def _require_sale(self, reference: str) -> SaleRecord:
        sale = await self._find_sale(reference)
        if sale is None:
            raise ErpRejected(f"no sale is booked under reference {reference}")
        return sale

    async def _read_sale(self, sale_id: int) -> SaleRecord:
        return SaleRecord.parse(await self._rest.read("sale.sale", sale_id, SALE_FIELDS))

    async def _confirm(self, order: ErpOrder, sale: SaleRecord | None) -> SaleRecord:
        """Create the sale if needed and confirm it; Tryton's processing of a confirmed sale
        creates its shipment and invoice."""
        sale_id = sale.id if sale else await self._create_sale(order)
        state = sale.state if sale else "draft"
        if state == "draft":
            await self._rest.click("sale.sale", sale_id, "quote")
        if state in {"draft", "quotation"}:
            # Queues sale.process; with no queue worker it runs right after the commit, before
            # the response comes back. A failing task does not fail the request.
            await self._rest.click("sale.sale", sale_id, "confirm")
        else:
            await self._rest.click("sale.sale", sale_id, "process")
        sale = await self._read_sale(sale_id)
        if sale.state == "confirmed":
            raise ErpRejected(
                f"Tryton confirmed sale {sale.number} for {order.reference} but could not"
                " process it (see its ir.error records or the server log)"
            )
        return sale

    async def _create_sale(self, order: ErpOrder) -> int:
        discount_codes = [DISCOUNT_PRODUCT_CODES[line.kind] for line in order.discount_lines]
        taxed_lines: list[ErpProductLine | ErpDiscountLine] = [
            *order.product_lines,
            *order.discount_lines,
        ]
        tax_names = {tax.erp_tax_code for line in taxed_lines for tax in line.taxes}
        warehouse, products, party, taxes, currency = await asyncio.gather(
            self._warehouse(order.warehouse_code),
            self._products_by_code(
                [line.product_code for line in order.product_lines] + discount_codes
            ),
            self._party(order.customer_code or CASH_SALE_CODE),
            self._taxes_by_name(sorted(tax_names)),
            self._currency(order.currency),
        )
        lines = [
            _product_line(line, products[line.product_code], taxes) for line in order.product_lines
        ]
        lines += [
            _discount_line(line, products[code], taxes)
            for line, code in zip(order.discount_lines, discount_codes, strict=True)
        ]
        original_sale = await self._returns.check_returnable(order)
        return await self._rest.create(
            "sale.sale",
            {
                "origin": f"sale.sale,{original_sale}" if original_sale else None,
                "reference": order.reference,
                "description": order.description,
                "sale_date": order.sale_date,
                "party": party.id,
                "invoice_address": party.address_id,
                "shipment_address": party.address_id,
                "warehouse": warehouse.id,
                "currency": currency,
                "invoice_method": self._invoice_method,
                "shipment_method": "order",
                "lines": [["create", lines]],
            },
        )

    async def _book_till_figures(
        self, order: ErpOrder, invoice_id: int, tolerance: Decimal | None
    ) -> None:
        taxes = await self._taxes_by_name(
            sorted({tax.erp_tax_code for line in _taxed_lines(order) for tax in line.taxes})
        )
        pos_taxes: dict[int, tuple[str, Decimal]] = {}
        for line in _taxed_lines(order):
            for tax in line.taxes:
                tax_id = taxes[tax.erp_tax_code]
                booked = pos_taxes.get(tax_id, (tax.erp_tax_code, Decimal(0)))[1]
                pos_taxes[tax_id] = (tax.erp_tax_code, booked + tax.pos_amount)
        await self._invoice_taxes.book_till_figures(
            invoice_id,
            order.net_total,
            pos_taxes,
            posting_tolerance(order) if tolerance is None else tolerance,
        )

    async def _close_cancelled(self, sale_id: int) -> None:
        """Ignore the sale's cancelled moves and invoices, then process it so it ends as done."""
        sale = await self._rest.read(
            "sale.sale",
            sale_id,
            ["lines.moves.state", "lines.moves_ignored", "invoices.state", "invoices_ignored"],
        )
        line_writes: list[Any] = []
        for line in sale["lines"]:
            moves = [
                move["id"]
                for move in line["moves"]
                if move["state"] == "cancelled" and move["id"] not in line["moves_ignored"]
            ]
            if moves:
                line_writes += [[line["id"]], {"moves_ignored": [["add", moves]]}]
        invoices = [
            invoice["id"]
            for invoice in sale["invoices"]
            if invoice["state"] == "cancelled" and invoice["id"] not in sale["invoices_ignored"]
        ]
        if not (line_writes or invoices):
            return
        values: Record = {}
        if invoices:
            values["invoices_ignored"] = [["add", invoices]]
        if line_writes:
            values["lines"] = [["write", *line_writes]]
        await self._rest.write("sale.sale", sale_id, values)
        await self._rest.click("sale.sale", sale_id, "process")

    # Shipments

    async def _assign(self, shipment_id: int, state: str) -> bool:
        """Reserve the shipment's stock. The till already sold the goods, so when the ERP
        counts too few, the reservation is forced (stock goes negative) rather than refused;
        returns True then, so the shortfall can be recorded for store ops."""
        if state == "draft":
            state = (await self._rest.click("stock.shipment.out", shipment_id, "wait"))["state"]
        if state == "waiting":
            state = (await self._rest.click("stock.shipment.out", shipment_id, "assign_try"))[
                "state"
            ]
        if state == "waiting":
            await self._rest.click("stock.shipment.out", shipment_id, "assign_force")
            return True
        return False

    async def _create_return(self, reference: str, shipment_id: int) -> Record:
        """A customer return of everything ``shipment_id`` issued, into the same warehouse."""
        shipment = await self._rest.read(
            "stock.shipment.out",
            shipment_id,
            [
                "customer",
                "delivery_address",
                "warehouse",
                "warehouse.input_location",
                "warehouse.storage_location",
                "outgoing_moves.state",
                "outgoing_moves.product",
                "outgoing_moves.quantity",
                "outgoing_moves.unit",
                "outgoing_moves.to_location",
                "outgoing_moves.unit_price",
                "outgoing_moves.currency",
            ],
        )
        warehouse = shipment["warehouse"]
        moves = [
            {
                "product": move["product"],
                "quantity": move["quantity"],
                "unit": move["unit"],
                "from_location": move["to_location"],
                "to_location": warehouse["input_location"],
                "unit_price": move["unit_price"],
                "currency": move["currency"],
            }
            for move in shipment["outgoing_moves"]
            if move["state"] == "done"
        ]
        return_id = await self._rest.create(
            "stock.shipment.out.return",
            {
                "reference": reference,
                "customer": shipment["customer"],
                "contact_address": shipment["delivery_address"],
                "warehouse": warehouse["id"],
                "warehouse_input": warehouse["input_location"],
                "warehouse_storage": warehouse["storage_location"],
                "incoming_moves": [["create", moves]],
            },
        )
        return {"id": return_id, "state": "draft"}

    async def _receive_return(self, shipment_id: int, state: str) -> None:
        """Receive a customer return (done at once when input and storage are one location)."""
        model = "stock.shipment.out.return"
        if state == "draft":
            state = (await self._rest.click(model, shipment_id, "receive"))["state"]
        if state == "received":
            await self._rest.click(model, shipment_id, "do")

    async def _quantity(
        self, product_id: int, location_id: int, *, count_assigned_as_gone: bool
    ) -> Decimal:
        """Tryton's product ``quantity`` in a location: done moves up to today, and with
        ``stock_assign`` the assigned outgoing moves counted as already gone."""
        record = await self._rest.read(
            "product.product",
            product_id,
            ["quantity"],
            context={"locations": [location_id], "stock_assign": count_assigned_as_gone},
        )
        return Decimal(str(record["quantity"]))

    # Codes to ids

    async def _warehouse(self, code: str) -> WarehouseRecord:
        if code not in self._warehouses:
            records = await self._rest.search(
                "stock.location",
                [("code", "=", code), ("type", "=", "warehouse")],
                ["storage_location"],
            )
            if not records:
                raise ErpUnknownCodes("warehouse", [code])
            self._warehouses[code] = WarehouseRecord(
                records[0]["id"], records[0]["storage_location"]
            )
        return self._warehouses[code]

    async def _products_by_code(self, codes: list[str]) -> dict[str, ProductRecord]:
        missing = sorted(set(codes) - self._products.keys())
        if missing:
            records = await self._rest.search(
                "product.product", [("code", "in", missing)], ["code", "default_uom"]
            )
            for record in records:
                self._products[record["code"]] = ProductRecord(record["id"], record["default_uom"])
            unknown = [code for code in missing if code not in self._products]
            if unknown:
                raise ErpUnknownCodes("product", unknown)
        return {code: self._products[code] for code in codes}

    async def _party(self, code: str) -> PartyRecord:
        if code not in self._parties:
            records = await self._rest.search("party.party", [("code", "=", code)], ["addresses"])
            if not records:
                raise ErpUnknownCodes("customer", [code])
            addresses = records[0]["addresses"]
            self._parties[code] = PartyRecord(records[0]["id"], addresses[0] if addresses else None)
        return self._parties[code]

    async def _taxes_by_name(self, names: list[str]) -> dict[str, int]:
        missing = [name for name in names if name not in self._taxes]
        if missing:
            records = await self._rest.search(
                "account.tax", [("name", "in", missing), ("parent", "=", None)], ["name"]
            )
            for record in records:
                self._taxes.setdefault(record["name"], record["id"])
            unknown = [name for name in missing if name not in self._taxes]
            if unknown:
                raise ErpUnknownCodes("tax", unknown)
        return {name: self._taxes[name] for name in names}

    async def _currency(self, code: str) -> int:
        if code not in self._currencies:
            records = await self._rest.search("currency.currency", [("code", "=", code)], ["id"])
            if not records:
                raise ErpUnknownCodes("currency", [code])
            self._currencies[code] = records[0]["id"]
        return self._currencies[code]


def _taxed_lines(order: ErpOrder) -> list[ErpProductLine | ErpDiscountLine]:
    return [*order.product_lines, *order.discount_lines]


def _taxes(line: ErpProductLine | ErpDiscountLine, taxes: dict[str, int]) -> list[Any]:
    return [["add", [taxes[tax.erp_tax_code] for tax in line.taxes]]]


def _product_line(line: ErpProductLine, product: ProductRecord, taxes: dict[str, int]) -> Record:
    return {
        "type": "line",
        "product": product.id,
        "unit": product.unit_id,
        "quantity": float(line.quantity),
        "unit_price": line.unit_price,
        "description": line.description,
        "note": line_note(line),
        "taxes": _taxes(line, taxes),
    }


def _discount_line(line: ErpDiscountLine, product: ProductRecord, taxes: dict[str, int]) -> Record:
    """One unit of the DISC-<KIND> service at the (negative) net discount."""
    return {
        "type": "line",
        "product": product.id,
        "unit": product.unit_id,
        "quantity": 1.0,
        "unit_price": line.net_amount,
        "description": line.description,
        "taxes": _taxes(line, taxes),
    }
