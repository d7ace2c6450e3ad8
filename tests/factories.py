"""Canonical transactions for tests, built from the demo catalog's prices (20% VAT, GBP)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.transaction import PosTransaction

BUSINESS_DATE = date(2026, 11, 20)


def sale_line(
    number: int,
    sku: str,
    quantity: str,
    gross_price: str,
    *,
    rate: str = "0.20",
    tax_code: str = "UK-STD",
    **extra: Any,
) -> dict[str, Any]:
    """A tax-inclusive line whose POS tax is gross x rate / (1 + rate), rounded to pennies."""
    gross = Decimal(quantity) * Decimal(gross_price)
    discount = sum(Decimal(d["amount"]) for d in extra.get("discounts", []))
    tax = ((gross - discount) * Decimal(rate) / (1 + Decimal(rate))).quantize(Decimal("0.01"))
    return {
        "line_number": number,
        "sku": sku,
        "quantity": quantity,
        "unit_price": gross_price,
        "taxes": [{"code": tax_code, "rate": rate, "amount": str(tax)}],
        **extra,
    }


def make_sale(
    transaction_id: str,
    lines: list[dict[str, Any]],
    *,
    store_id: str = "S001",
    terminal_id: str = "T1",
    receipt_number: int = 1,
    status: str = "completed",
    business_date: date = BUSINESS_DATE,
    **extra: Any,
) -> PosTransaction:
    """A completed, tax-inclusive GBP sale paid by card, its totals derived from its lines."""
    gross = sum(
        Decimal(line["quantity"]) * Decimal(line["unit_price"])
        - sum((Decimal(d["amount"]) for d in line.get("discounts", [])), Decimal(0))
        for line in lines
    )
    gross = Decimal(gross).quantize(Decimal("0.01"))
    tax = sum(Decimal(tax["amount"]) for line in lines for tax in line["taxes"])
    payload: dict[str, Any] = {
        "transaction_id": transaction_id,
        "store_id": store_id,
        "terminal_id": terminal_id,
        "receipt_number": receipt_number,
        "business_date": business_date.isoformat(),
        "occurred_at": datetime(2026, 11, 20, 10, 30).isoformat(),
        "kind": "sale",
        "status": status,
        "currency": "GBP",
        "prices_include_tax": True,
        "lines": lines,
        "tenders": [{"type": "card", "amount": str(gross), "reference": "VISA ****4242"}],
        "totals": {"net": str(gross - tax), "tax": str(tax), "gross": str(gross)},
    }
    payload.update(extra)
    return PosTransaction.model_validate(payload)
