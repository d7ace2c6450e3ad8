"""The ``sale.sale`` behind one POS transaction: looked up by reference, created, confirmed,
its draft invoice made to carry the till's figures, and closed once its documents are cancelled.
"""

import asyncio
from decimal import Decimal
from typing import Any

from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.erp.tryton.codes import TrytonCodes
from connectors.erp.tryton.documents import (
    CASH_SALE_CODE,
    DISCOUNT_PRODUCT_CODES,
    SALE_FIELDS,
    ProductRecord,
    SaleRecord,
)
from connectors.erp.tryton.invoicing import InvoiceTaxes
from connectors.erp.tryton.queued import after_queued_tasks
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.returns import Returns, line_note
from connectors.erp.tryton.states import CANCELLED, CONFIRMED, DRAFT, QUOTATION
from domain.erp_order import ErpDiscountLine, ErpOrder, ErpProductLine
from domain.periods import PostingMode
from domain.screening import posting_tolerance


class TrytonSales:
    def __init__(
        self,
        rest: TrytonRest,
        codes: TrytonCodes,
        returns: Returns,
        invoice_taxes: InvoiceTaxes,
        posting_mode: PostingMode,
    ) -> None:
        self._rest = rest
        self._codes = codes
        self._returns = returns
        self._invoice_taxes = invoice_taxes
        # Daily posting mode books no invoice per sale: a consolidated posting books the day.
        self._invoice_method = "order" if posting_mode is PostingMode.PER_TRANSACTION else "manual"

    async def find(self, reference: str) -> SaleRecord | None:
        """The sale booked under ``reference``: the first one not cancelled (two calls that
        reserved a ticket at once may each have created one), else the first."""
        records = await self._rest.search(
            "sale.sale", [("reference", "=", reference)], SALE_FIELDS, order=[("id", "ASC")]
        )
        live = [record for record in records if record["state"] != CANCELLED]
        return SaleRecord.parse((live or records)[0]) if records else None

    async def require(self, reference: str) -> SaleRecord:
        sale = await self.find(reference)
        if sale is None:
            raise ErpRejected(f"no sale is booked under reference {reference}")
        return sale

    async def read(self, sale_id: int) -> SaleRecord:
        return SaleRecord.parse(await self._rest.read("sale.sale", sale_id, SALE_FIELDS))

    async def confirm(self, order: ErpOrder, sale: SaleRecord | None) -> SaleRecord:
        """Create the sale if needed and confirm it; Tryton's processing of a confirmed sale
        creates its shipment and invoice."""
        sale_id = sale.id if sale else await self._create(order)
        state = sale.state if sale else DRAFT
        if state == DRAFT:
            state = await self._rest.advance("sale.sale", sale_id, "quote", DRAFT)
        if state == QUOTATION:
            # Queues sale.process: with no queue worker it runs right after the commit, before
            # the response comes back; with trytond-worker, in the worker soon after. A failing
            # task does not fail the request.
            await self._rest.advance("sale.sale", sale_id, "confirm", QUOTATION)
        # A sale still confirmed may be queued for the worker: clicking process meanwhile
        # only waits for the sale's lock the worker holds (HTTP 503 when it waits too long).
        confirmed = await after_queued_tasks(
            lambda: self.read(sale_id), lambda sale: sale.state == CONFIRMED
        )
        if confirmed.state != CONFIRMED:
            return confirmed
        # Processing that failed after the commit (a locked database, say) runs again here,
        # where its error comes back: a refusal as such, anything else as transient. Processing
        # twice books nothing twice: Tryton creates only what the sale still lacks, under the
        # sale's lock.
        await self._rest.click("sale.sale", sale_id, "process")
        sale = await self.read(sale_id)
        if sale.state == CONFIRMED:
            raise ErpUnavailable(
                f"Tryton confirmed sale {sale.number} for {order.reference} but has not"
                " processed it yet (see its ir.error records or the server log)"
            )
        return sale

    async def book_till_figures(
        self, order: ErpOrder, invoice_id: int, tolerance: Decimal | None
    ) -> None:
        """Make draft invoice ``invoice_id`` carry the till's net and taxes (invoicing.py)."""
        taxes = await self._codes.taxes(
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
            posting_tolerance(order, None) if tolerance is None else tolerance,
        )

    async def close_cancelled(self, sale_id: int) -> None:
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
                if move["state"] == CANCELLED and move["id"] not in line["moves_ignored"]
            ]
            if moves:
                line_writes += [[line["id"]], {"moves_ignored": [["add", moves]]}]
        invoices = [
            invoice["id"]
            for invoice in sale["invoices"]
            if invoice["state"] == CANCELLED and invoice["id"] not in sale["invoices_ignored"]
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

    async def _create(self, order: ErpOrder) -> int:
        discount_codes = [DISCOUNT_PRODUCT_CODES[line.kind] for line in order.discount_lines]
        tax_names = {tax.erp_tax_code for line in _taxed_lines(order) for tax in line.taxes}
        warehouse, products, party, taxes, currency = await asyncio.gather(
            self._codes.warehouse(order.warehouse_code),
            self._codes.products(
                [line.product_code for line in order.product_lines] + discount_codes
            ),
            self._codes.party(order.customer_code or CASH_SALE_CODE),
            self._codes.taxes(sorted(tax_names)),
            self._codes.currency(order.currency),
        )
        lines = [
            _product_line(line, products[line.product_code], taxes) for line in order.product_lines
        ]
        lines += [
            _discount_line(line, products[code], taxes)
            for line, code in zip(order.discount_lines, discount_codes, strict=True)
        ]
        original_sale = await self._returns.check_returnable(order)
        created = await self._rest.create(
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
        first = await self.find(order.reference)
        if first is None or first.id == created:
            return created
        # Another call created the ticket's sale first: this one goes (it is still a draft
        # nobody else has chosen, as everyone chooses the first).
        await self._rest.advance("sale.sale", created, "cancel", DRAFT)
        return first.id


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
