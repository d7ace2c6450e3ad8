"""Tickets as tills ring them, planned into ERP orders the way the saga plans them, and the ERP's
books read back: for the connector tests of tax, discounts, tenders and returns."""

from decimal import Decimal
from typing import Any
from uuid import uuid4

from connectors.erp.tryton import TrytonConnector, TrytonRest
from domain.erp_order import ErpOrder, ErpPostingResult
from domain.ids import erp_reference
from domain.mapping import LineMapping, TransactionMapping
from domain.order_plan import plan_erp_order
from domain.transaction import PosTransaction
from tests.factories import BUSINESS_DATE, make_sale, sale_line

SKUS = {
    "100001": "TEA-001",
    "100002": "MUG-001",
    "100003": "BISC-001",
    "100005": "BAG-001",
    "100006": "CHOC-001",
}
TAX_CODES = {"UK-STD": "VAT20", "US-NY": "US-NY"}
US_SALES_TAX = Decimal("0.08875")


def new_transaction_id() -> str:
    return f"TX-{uuid4().hex[:10]}"


def plan(
    txn: PosTransaction,
    warehouse: str = "WH-LON",
    originals: dict[str, str] | None = None,
) -> ErpOrder:
    """The ERP order the saga would book for ``txn`` (first attempt)."""
    mapping = TransactionMapping(
        warehouse_code=warehouse,
        lines=[
            LineMapping(line_number=line.line_number, product_code=SKUS[str(line.sku)])
            for line in txn.lines
        ],
        tax_codes=TAX_CODES,
    )
    return plan_erp_order(txn, mapping, erp_reference(txn.workflow_id, 1), originals)


def uk_ticket(lines: list[dict[str, Any]], **extra: Any) -> PosTransaction:
    """A tax-inclusive GBP ticket at the London store (see tests.factories.make_sale)."""
    return make_sale(new_transaction_id(), lines, **extra)


def us_line(number: int, sku: str, quantity: str, net_price: str, tax: str) -> dict[str, Any]:
    """A tax-exclusive New York line with the till's own sales tax figure."""
    return {
        "line_number": number,
        "sku": sku,
        "quantity": quantity,
        "unit_price": net_price,
        "taxes": [{"code": "US-NY", "rate": str(US_SALES_TAX), "amount": tax}],
    }


def us_ticket(lines: list[dict[str, Any]], tenders: list[dict[str, str]]) -> PosTransaction:
    """A tax-exclusive USD ticket at the New York store."""
    net = sum(
        (Decimal(line["quantity"]) * Decimal(line["unit_price"]) for line in lines), Decimal(0)
    )
    tax = sum((Decimal(tax["amount"]) for line in lines for tax in line["taxes"]), Decimal(0))
    return PosTransaction.model_validate(
        {
            "transaction_id": new_transaction_id(),
            "store_id": "S003",
            "terminal_id": "T1",
            "receipt_number": 1,
            "business_date": BUSINESS_DATE.isoformat(),
            "occurred_at": "2026-11-20T10:30:00",
            "currency": "USD",
            "prices_include_tax": False,
            "lines": lines,
            "tenders": tenders,
            "totals": {"net": str(net), "tax": str(tax), "gross": str(net + tax)},
        }
    )


async def book(connector: TrytonConnector, order: ErpOrder) -> ErpPostingResult:
    """Every saga step of a ticket: reserve, post, pay, commit."""
    await connector.reserve(order)
    posting = await connector.post(order.reference, BUSINESS_DATE)
    await connector.pay(order.reference, order.payments)
    await connector.commit(order.reference)
    return posting


async def move_lines(rest: TrytonRest, move_id: int | str) -> list[dict[str, Any]]:
    return await rest.search(
        "account.move.line",
        [("move", "=", int(move_id))],
        ["account.code", "debit", "credit", "amount_second_currency", "description"],
    )


async def invoice_move_lines(rest: TrytonRest, invoice_id: str) -> list[dict[str, Any]]:
    invoice = await rest.read("account.invoice", invoice_id, ["move"])
    return await move_lines(rest, invoice["move"])


def credit(lines: list[dict[str, Any]], account_code: str) -> Decimal:
    """Credit minus debit booked on one account."""
    return sum(
        (
            line["credit"] - line["debit"]
            for line in lines
            if line["account"]["code"] == account_code
        ),
        Decimal(0),
    )


def returned(
    number: int,
    sku: str,
    quantity: str,
    price: str,
    original: PosTransaction | ErpOrder | None = None,
    line: int = 1,
    condition: str = "resaleable",
) -> dict[str, Any]:
    """A returned line (negative quantity), referencing ``original``'s line when given."""
    extra: dict[str, Any] = {"condition": condition}
    if original is not None:
        extra["return_of"] = {"transaction_id": original.transaction_id, "line_number": line}
    return sale_line(number, sku, quantity, price, **extra)
