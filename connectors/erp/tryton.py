"""Tryton 8 as tillsync's ERP, over its REST API (``/<database>/rest/model/...``).

One POS transaction becomes one ``sale.sale`` whose ``reference`` is the order reference, so
every step starts by looking the sale up and only does what is still missing:

- reserve: create the sale, ``quote``, ``confirm`` (Tryton then creates the customer shipment
  and the draft invoice), ``assign_try`` the shipment: its moves become assigned, which lowers
  the available quantity and books nothing.
- post: set the invoice and accounting dates on the draft invoice, ``post`` it: revenue, tax,
  and (anglo-saxon) COGS against the stock interim account at the product's cost price.
- commit: ``pack`` and ``do`` the shipment: on-hand stock drops, stock is credited.
- release: ``cancel`` the shipment and the draft invoice, then ignore the cancelled moves and
  invoice on the sale and ``process`` it, which closes it as done with nothing left to do
  (a confirmed Tryton sale cannot be cancelled).
- cancel posting: ``cancel`` the posted invoice, which posts a cancel move mirroring it (the
  company must allow cancelling customer invoices; the sandbox does).
- return stock: a customer return shipment of what was issued, ``receive``: back in stock.

Returned lines (negative quantities) make Tryton create a customer return shipment instead;
commit receives it.

Tryton refuses business errors with HTTP 400 and a message (ErpRejected); connection failures,
timeouts and 5xx are ErpUnavailable. Codes are resolved to ids once and cached.
"""

import asyncio
import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from connectors.erp.errors import ErpRejected, ErpUnavailable, ErpUnknownCodes
from domain.erp_order import (
    ErpDiscountLine,
    ErpOrder,
    ErpOrderRefs,
    ErpPostingResult,
    ErpProductLine,
    StockLevel,
)
from domain.transaction import DiscountKind

Record = dict[str, Any]

CASH_SALE_CODE = "CASH-SALE"
DISCOUNT_PRODUCT_CODES = {
    DiscountKind.PROMOTION: "DISC-PROMOTION",
    DiscountKind.MANUAL_OVERRIDE: "DISC-MANUAL",
    DiscountKind.LOYALTY: "DISC-LOYALTY",
    DiscountKind.COUPON: "DISC-COUPON",
}
_OPEN_SHIPMENT_STATES = {"draft", "waiting", "assigned", "packed"}
_DRAFT_INVOICE_STATES = {"draft", "validated"}
_INVOICE_FIELDS = [
    "state",
    "number",
    "invoice_date",
    "accounting_date",
    "untaxed_amount",
    "tax_amount",
    "total_amount",
]
_SALE_FIELDS = [
    "number",
    "state",
    "shipments.state",
    "shipment_returns.state",
    *(f"invoices.{field}" for field in _INVOICE_FIELDS),
]


def _encode(value: object) -> object:
    """Tryton's JSON form of the values JSON lacks (its ``JSONDecoder`` reads them back)."""
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    raise TypeError(f"cannot send {type(value).__name__} to Tryton")


def _decode(value: Record) -> object:
    match value.get("__class__"):
        case "Decimal":
            return Decimal(value["decimal"])
        case "date":
            return date(value["year"], value["month"], value["day"])
        case _:
            return value


def _dumps(value: object) -> str:
    return json.dumps(value, default=_encode)


def _base64(value: object) -> str:
    return base64.urlsafe_b64encode(_dumps(value).encode()).decode()


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("message"):
        return " ".join(filter(None, [body["message"], body.get("description")]))
    return f"HTTP {response.status_code} {response.reason_phrase}"


class TrytonRest:
    """Tryton's REST model endpoints: search, read, create, write and button calls."""

    def __init__(
        self, base_url: str, database: str, api_key: str, company_id: int, *, timeout: float = 30.0
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/{database}/rest/model/",
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout,
        )
        self._company_id = company_id

    async def search(
        self,
        model: str,
        domain: list[Any],
        fields: list[str],
        context: Record | None = None,
        *,
        order: list[tuple[str, str]] | None = None,
        limit: int | None = None,
    ) -> list[Record]:
        params = [("d", _base64(domain)), *(("f", field) for field in fields)]
        if order:
            params.append(("o", _base64([list(item) for item in order])))
        if limit is not None:
            params.append(("s", str(limit)))
        records: list[Record] = await self._send("GET", model, params, context=context)
        return records

    async def read(
        self, model: str, record_id: int, fields: list[str], context: Record | None = None
    ) -> Record:
        params = [("f", field) for field in fields]
        record: Record = await self._send("GET", f"{model}/{record_id}", params, context=context)
        return record

    async def create(self, model: str, values: Record) -> int:
        record: Record = await self._send("POST", model, [("f", "id")], body=values)
        record_id: int = record["id"]
        return record_id

    async def write(self, model: str, record_id: int, values: Record) -> None:
        await self._send("PUT", f"{model}/{record_id}", [("f", "id")], body=values)

    async def click(
        self, model: str, record_id: int, button: str, fields: Sequence[str] = ("state",)
    ) -> Record:
        """Run a button; the record's ``fields`` as the button left them (before queued tasks)."""
        params = [("f", field) for field in fields]
        record: Record = await self._send("POST", f"{model}/{record_id}/{button}", params, body={})
        return record

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]],
        *,
        body: Record | None = None,
        context: Record | None = None,
    ) -> Any:
        headers = {
            "X-Tryton-Context": _base64(
                {"company": self._company_id, "_skip_warnings": True, **(context or {})}
            )
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = await self._client.request(
                method,
                path,
                params=tuple(params),
                headers=headers,
                content=None if body is None else _dumps(body),
            )
        except httpx.TransportError as error:
            raise ErpUnavailable(f"Tryton did not answer {method} {path}: {error!r}") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise ErpUnavailable(f"Tryton failed {method} {path}: {_error_message(response)}")
        if response.status_code >= 400:
            raise ErpRejected(f"Tryton refused {method} {path}: {_error_message(response)}")
        return json.loads(response.content, object_hook=_decode) if response.content else None


@dataclass(frozen=True)
class _Warehouse:
    id: int
    storage_id: int


@dataclass(frozen=True)
class _Product:
    id: int
    unit_id: int


@dataclass(frozen=True)
class _Party:
    id: int
    address_id: int | None


@dataclass(frozen=True)
class _Invoice:
    id: int
    number: str | None
    state: str
    posting_date: date | None
    untaxed_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal

    @classmethod
    def parse(cls, record: Record) -> "_Invoice":
        return cls(
            id=record["id"],
            number=record["number"],
            state=record["state"],
            posting_date=record.get("accounting_date") or record.get("invoice_date"),
            untaxed_amount=record["untaxed_amount"],
            tax_amount=record["tax_amount"],
            total_amount=record["total_amount"],
        )


@dataclass(frozen=True)
class _Sale:
    id: int
    number: str | None
    state: str
    shipments: dict[int, str]
    shipment_returns: dict[int, str]
    invoices: list[_Invoice]

    @classmethod
    def parse(cls, record: Record) -> "_Sale":
        return cls(
            id=record["id"],
            number=record["number"],
            state=record["state"],
            shipments={shipment["id"]: shipment["state"] for shipment in record["shipments"]},
            shipment_returns={
                shipment["id"]: shipment["state"] for shipment in record["shipment_returns"]
            },
            invoices=[_Invoice.parse(invoice) for invoice in record["invoices"]],
        )

    @property
    def invoice(self) -> _Invoice | None:
        """The invoice that stands: the first one not cancelled, else the latest."""
        standing = [invoice for invoice in self.invoices if invoice.state != "cancelled"]
        if standing:
            return standing[0]
        return self.invoices[-1] if self.invoices else None

    def refs(self, reference: str, invoice: _Invoice | None = None) -> ErpOrderRefs:
        invoice = invoice or self.invoice
        return ErpOrderRefs(
            reference=reference,
            sale_id=self.id,
            sale_number=self.number,
            shipment_ids=list(self.shipments),
            invoice_id=invoice.id if invoice else None,
            invoice_number=invoice.number if invoice else None,
            posting_date=invoice.posting_date if invoice and invoice.number else None,
        )


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
    ) -> None:
        self._rest = TrytonRest(base_url, database, api_key, company_id, timeout=timeout)
        self._company_id = company_id
        self._warehouses: dict[str, _Warehouse] = {}
        self._products: dict[str, _Product] = {}
        self._parties: dict[str, _Party] = {}
        self._taxes: dict[str, int] = {}
        self._currencies: dict[str, int] = {}

    async def ping(self) -> None:
        await self._rest.read("company.company", self._company_id, ["id"])

    async def check_codes(self, warehouse_code: str, product_codes: list[str]) -> None:
        await asyncio.gather(self._warehouse(warehouse_code), self._products_by_code(product_codes))

    async def find_order(self, reference: str) -> ErpOrderRefs | None:
        sale = await self._find_sale(reference)
        return sale.refs(reference) if sale else None

    async def reserve(self, order: ErpOrder) -> ErpOrderRefs:
        sale = await self._find_sale(order.reference)
        if sale is None or sale.state in {"draft", "quotation", "confirmed"}:
            sale = await self._confirm(order, sale)
        if sale.state == "cancelled":
            raise ErpRejected(f"sale {sale.number} for {order.reference} is cancelled")
        for shipment_id, state in sale.shipments.items():
            await self._assign(shipment_id, state, order.reference)
        return sale.refs(order.reference)

    async def release_if_present(self, reference: str) -> None:
        sale = await self._find_sale(reference)
        if sale is None or sale.state == "cancelled":
            return
        if sale.state in {"draft", "quotation"}:
            await self._rest.click("sale.sale", sale.id, "cancel")
            return
        cancelled = False
        for shipment_id, state in sale.shipments.items():
            if state in _OPEN_SHIPMENT_STATES:
                await self._rest.click("stock.shipment.out", shipment_id, "cancel")
                cancelled = True
        for invoice in sale.invoices:
            if invoice.state in _DRAFT_INVOICE_STATES:
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
        if invoice.state in _DRAFT_INVOICE_STATES:
            dates = {
                "invoice_date": await self._numbering_date(posting_date),
                "accounting_date": posting_date,
            }
            await self._rest.write("account.invoice", invoice.id, dates)
            invoice = _Invoice.parse(
                await self._rest.click("account.invoice", invoice.id, "post", _INVOICE_FIELDS)
            )
        return ErpPostingResult(
            refs=sale.refs(reference, invoice),
            net_total=invoice.untaxed_amount,
            tax_total=invoice.tax_amount,
            gross_total=invoice.total_amount,
        )

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
        sale = await self._find_sale(reference)
        for invoice in sale.invoices if sale else []:
            if invoice.state == "posted":
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
        sale = await self._find_sale(reference)
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

    # Sales

    async def _find_sale(self, reference: str) -> _Sale | None:
        records = await self._rest.search(
            "sale.sale", [("reference", "=", reference)], _SALE_FIELDS
        )
        return _Sale.parse(records[0]) if records else None

    async def _require_sale(self, reference: str) -> _Sale:
        sale = await self._find_sale(reference)
        if sale is None:
            raise ErpRejected(f"no sale is booked under reference {reference}")
        return sale

    async def _read_sale(self, sale_id: int) -> _Sale:
        return _Sale.parse(await self._rest.read("sale.sale", sale_id, _SALE_FIELDS))

    async def _confirm(self, order: ErpOrder, sale: _Sale | None) -> _Sale:
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
        return await self._rest.create(
            "sale.sale",
            {
                "reference": order.reference,
                "description": order.description,
                "sale_date": order.sale_date,
                "party": party.id,
                "invoice_address": party.address_id,
                "shipment_address": party.address_id,
                "warehouse": warehouse.id,
                "currency": currency,
                "invoice_method": "order",
                "shipment_method": "order",
                "lines": [["create", lines]],
            },
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

    async def _assign(self, shipment_id: int, state: str, reference: str) -> None:
        if state == "draft":
            state = (await self._rest.click("stock.shipment.out", shipment_id, "wait"))["state"]
        if state == "waiting":
            state = (await self._rest.click("stock.shipment.out", shipment_id, "assign_try"))[
                "state"
            ]
        if state == "waiting":
            raise ErpRejected(f"not enough stock to reserve shipment {shipment_id} of {reference}")

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

    async def _warehouse(self, code: str) -> _Warehouse:
        if code not in self._warehouses:
            records = await self._rest.search(
                "stock.location",
                [("code", "=", code), ("type", "=", "warehouse")],
                ["storage_location"],
            )
            if not records:
                raise ErpUnknownCodes("warehouse", [code])
            self._warehouses[code] = _Warehouse(records[0]["id"], records[0]["storage_location"])
        return self._warehouses[code]

    async def _products_by_code(self, codes: list[str]) -> dict[str, _Product]:
        missing = sorted(set(codes) - self._products.keys())
        if missing:
            records = await self._rest.search(
                "product.product", [("code", "in", missing)], ["code", "default_uom"]
            )
            for record in records:
                self._products[record["code"]] = _Product(record["id"], record["default_uom"])
            unknown = [code for code in missing if code not in self._products]
            if unknown:
                raise ErpUnknownCodes("product", unknown)
        return {code: self._products[code] for code in codes}

    async def _party(self, code: str) -> _Party:
        if code not in self._parties:
            records = await self._rest.search("party.party", [("code", "=", code)], ["addresses"])
            if not records:
                raise ErpUnknownCodes("customer", [code])
            addresses = records[0]["addresses"]
            self._parties[code] = _Party(records[0]["id"], addresses[0] if addresses else None)
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


def _taxes(line: ErpProductLine | ErpDiscountLine, taxes: dict[str, int]) -> list[Any]:
    return [["add", [taxes[tax.erp_tax_code] for tax in line.taxes]]]


def _product_line(line: ErpProductLine, product: _Product, taxes: dict[str, int]) -> Record:
    return {
        "type": "line",
        "product": product.id,
        "unit": product.unit_id,
        "quantity": float(line.quantity),
        "unit_price": line.unit_price,
        "description": line.description,
        "taxes": _taxes(line, taxes),
    }


def _discount_line(line: ErpDiscountLine, product: _Product, taxes: dict[str, int]) -> Record:
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
