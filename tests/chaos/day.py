"""A seeded store day: sales, returns, exchanges, incomplete tickets, unmapped SKUs and stores,
and offline replays, with what each ticket must do to the ERP's stock and takings."""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.transaction import PosTransaction

BUSINESS_DAY = date(2026, 11, 20)
WAREHOUSES = {"S001": "WH-LON", "S002": "WH-LDS"}
"""The demo's GBP stores (examples/mappings.csv)."""
UNMAPPED_STORE = "S404"
UNMAPPED_SKU = "999999"
PRODUCTS = {
    "100001": ("TEA-001", Decimal("3.60")),
    "100002": ("MUG-001", Decimal("9.00")),
    "100003": ("BISC-001", Decimal("1.50")),
    "100004": ("COF-001", Decimal("12.00")),
    "100005": ("BAG-001", Decimal("1.20")),
}
TERMINALS = ("T1", "T2", "T3")
VAT = Decimal("0.20")
PENNY = Decimal("0.01")

# How a day's tickets are drawn (weights out of 100).
MIX = {
    "sale": 66,
    "return": 8,
    "exchange": 4,
    "incomplete": 8,
    "unmapped_sku": 3,
    "unmapped_store": 3,
    "offline": 8,
}


@dataclass
class Ticket:
    """One ticket of the day and what it must do to the ERP."""

    payload: dict[str, Any]
    kind: str
    """a MIX key"""
    stock_change: dict[str, Decimal] = field(default_factory=dict)
    """ERP product code -> quantity into (positive) or out of the store's warehouse, if posted"""

    @property
    def transaction_id(self) -> str:
        return str(self.payload["transaction_id"])

    @property
    def store_id(self) -> str:
        return str(self.payload["store_id"])

    @property
    def workflow_id(self) -> str:
        return PosTransaction.model_validate(self.payload).workflow_id

    @property
    def warehouse(self) -> str | None:
        return WAREHOUSES.get(self.store_id)

    @property
    def complete(self) -> bool:
        return bool(self.payload["status"] == "completed")

    @property
    def postable(self) -> bool:
        """Completed and mapped: it must end posted once (or as an open exception)."""
        return self.complete and self.kind not in {"unmapped_sku", "unmapped_store"}

    @property
    def gross(self) -> Decimal:
        return Decimal(self.payload["totals"]["gross"])

    @property
    def returned_from(self) -> set[tuple[str, str, str]]:
        """(store, terminal, transaction) of each ticket it returns lines of."""
        return {
            (self.store_id, line["return_of"]["terminal_id"], line["return_of"]["transaction_id"])
            for line in self.payload["lines"]
            if line.get("return_of")
        }


@dataclass
class _SoldLine:
    ticket: Ticket
    line: dict[str, Any]


@dataclass
class _Till:
    store_id: str
    terminal_id: str
    next_receipt: int = 1


def _line(number: int, sku: str, quantity: int, *, return_of: Any = None) -> dict[str, Any]:
    price = PRODUCTS[sku][1] if sku in PRODUCTS else Decimal("2.00")
    gross = price * quantity
    tax = (gross * VAT / (1 + VAT)).quantize(PENNY)
    line: dict[str, Any] = {
        "line_number": number,
        "sku": sku,
        "quantity": str(quantity),
        "unit_price": str(price),
        "taxes": [{"code": "UK-STD", "rate": str(VAT), "amount": str(tax)}],
    }
    if return_of is not None:
        line["return_of"] = return_of
        line["condition"] = "resaleable"
    return line


def _ticket_payload(
    till: _Till, number: int, lines: list[dict[str, Any]], kind: str, at: datetime, **extra: Any
) -> dict[str, Any]:
    gross = sum(Decimal(line["quantity"]) * Decimal(line["unit_price"]) for line in lines)
    tax = sum(Decimal(line["taxes"][0]["amount"]) for line in lines)
    receipt = till.next_receipt
    till.next_receipt += 1
    tenders = (
        [{"type": "card", "amount": str(gross), "reference": "VISA ****4242"}] if gross else []
    )
    return {
        "transaction_id": f"CH{number:06d}",
        "store_id": till.store_id,
        "terminal_id": till.terminal_id,
        "receipt_number": receipt,
        "business_date": BUSINESS_DAY.isoformat(),
        "occurred_at": at.isoformat(),
        "cashier_id": f"C{number % 7:02d}",
        "kind": kind,
        "status": "completed",
        "currency": "GBP",
        "prices_include_tax": True,
        "lines": lines,
        "tenders": tenders,
        "totals": {"net": str(gross - tax), "tax": str(tax), "gross": str(gross)},
        **extra,
    }


def store_day(count: int, seed: int) -> list[Ticket]:
    """``count`` tickets in till order, drawn from MIX with ``seed``."""
    rng = random.Random(seed)
    tills = {
        (store, terminal): _Till(store, terminal)
        for store in [*WAREHOUSES, UNMAPPED_STORE]
        for terminal in TERMINALS
    }
    returnable: dict[str, list[_SoldLine]] = {store: [] for store in WAREHOUSES}
    kinds, weights = zip(*MIX.items(), strict=True)
    opening = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    tickets: list[Ticket] = []
    for number in range(1, count + 1):
        kind = rng.choices(kinds, weights)[0]
        if kind in {"return", "exchange"} and not returnable[rng.choice(list(WAREHOUSES))]:
            kind = "sale"
        at = opening + timedelta(seconds=number * 20)
        tickets.append(_draw(rng, kind, number, at, tills, returnable))
    return tickets


def _draw(
    rng: random.Random,
    kind: str,
    number: int,
    at: datetime,
    tills: dict[tuple[str, str], _Till],
    returnable: dict[str, list[_SoldLine]],
) -> Ticket:
    store = UNMAPPED_STORE if kind == "unmapped_store" else rng.choice(list(WAREHOUSES))
    if kind in {"return", "exchange"} and not returnable[store]:
        store = next(s for s in WAREHOUSES if returnable[s])
    till = tills[(store, rng.choice(TERMINALS))]
    skus = rng.sample(sorted(PRODUCTS), rng.randint(1, 3))
    lines = [_line(i, sku, rng.randint(1, 3)) for i, sku in enumerate(skus, start=1)]
    extra: dict[str, Any] = {}
    txn_kind = "sale"
    if kind == "unmapped_sku":
        lines.append(_line(len(lines) + 1, UNMAPPED_SKU, 1))
    elif kind == "incomplete":
        extra["status"] = rng.choice(["suspended", "voided", "pending"])
    elif kind == "offline":
        extra["offline"] = True
        at -= timedelta(hours=rng.randint(1, 6))
    elif kind in {"return", "exchange"}:
        sold = returnable[store].pop(rng.randrange(len(returnable[store])))
        original = {
            "transaction_id": sold.ticket.transaction_id,
            "terminal_id": sold.ticket.payload["terminal_id"],
            "line_number": sold.line["line_number"],
        }
        returned = _line(1, sold.line["sku"], -1, return_of=original)
        if kind == "return":
            lines = [returned]
            txn_kind = "return"
        else:
            lines = [returned, _line(2, rng.choice(sorted(PRODUCTS)), 1)]
            txn_kind = "exchange"
    payload = _ticket_payload(till, number, lines, txn_kind, at, **extra)
    if "status" in extra:
        payload["status"] = extra["status"]
    ticket = Ticket(payload=payload, kind=kind)
    if ticket.postable:
        for line in lines:
            code = PRODUCTS[line["sku"]][0]
            change = -Decimal(line["quantity"])
            ticket.stock_change[code] = ticket.stock_change.get(code, Decimal(0)) + change
        if kind == "sale":  # an offline sale arrives last: returns would wait for it
            returnable[store].extend(_SoldLine(ticket, line) for line in lines)
    return ticket
