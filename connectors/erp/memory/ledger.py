"""The memory ERP's own records: what it knows (catalogue), what it holds (stock), and one
record per sales order with every effect that took place on it."""

import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from connectors.erp.errors import ErpUnknownCodes, UnknownCode
from domain.erp_order import ErpOrder, ErpOrderRefs, StockLevel
from domain.ids import workflow_of_reference
from domain.tax import TaxReconciliation
from domain.transaction import ItemCondition, TenderType

DAMAGED_SUFFIX = "-DMG"
"""A warehouse's damaged-goods location: stock held there is never available for sale."""


def document_ids() -> Iterator[str]:
    """The ids the memory ERP gives its documents: "1", "2", ... (opaque strings, as every
    ERP's ids are to tillsync)."""
    return (str(number) for number in itertools.count(1))


class StockState(StrEnum):
    RESERVED = "reserved"
    RELEASED = "released"
    ISSUED = "issued"
    RETURNED = "returned"


class InvoiceState(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    PAID = "paid"
    CANCELLED = "cancelled"


@dataclass
class MemoryPayment:
    move_id: str
    tender_type: TenderType
    amount: Decimal
    reference: str | None
    voided: bool = False


@dataclass
class MemoryOrder:
    """One sales order as the memory ERP holds it. ``effects`` counts the changes that took
    place (``reserved``, ``posted``, ``paid``, ``committed``, and the undoes); a call repeated
    for the same reference changes nothing and counts nothing. ``reserved_at`` is the
    ``time.monotonic()`` at which the reservation took effect."""

    order: ErpOrder
    sale_id: str
    reserved_at: float
    reserved_beyond_stock: bool
    reconciliation: TaxReconciliation
    shipment_ids: list[str]
    return_shipment_ids: list[str]
    stock: StockState = StockState.RESERVED
    cancelled: bool = False
    invoice: InvoiceState = InvoiceState.DRAFT
    invoice_id: str | None = None
    posting_date: date | None = None
    payments: list[MemoryPayment] = field(default_factory=list)
    history: list[tuple[float, str]] = field(default_factory=list)
    effects: Counter[str] = field(default_factory=Counter)

    @property
    def reference(self) -> str:
        return self.order.reference

    @property
    def workflow_id(self) -> str:
        return workflow_of_reference(self.reference)

    @property
    def state(self) -> str:
        """The latest effect: reserved, posted, paid, committed, or an undo of one."""
        return self.history[-1][1]

    @property
    def standing(self) -> bool:
        """Its invoice is posted (or paid) and not cancelled."""
        return self.invoice in {InvoiceState.POSTED, InvoiceState.PAID}

    @property
    def active_payments(self) -> list[MemoryPayment]:
        return [payment for payment in self.payments if not payment.voided]

    def record(self, effect: str) -> None:
        self.history.append((time.monotonic(), effect))
        self.effects[effect] += 1

    def refs(self) -> ErpOrderRefs:
        return ErpOrderRefs(
            reference=self.reference,
            sale_id=self.sale_id,
            sale_number=f"SO{self.sale_id:0>6}",
            shipment_ids=list(self.shipment_ids),
            invoice_id=self.invoice_id,
            invoice_number=f"INV{self.invoice_id:0>6}" if self.invoice_id else None,
            posting_date=self.posting_date,
            reserved_beyond_stock=self.reserved_beyond_stock,
            return_shipment_ids=list(self.return_shipment_ids),
            payment_move_ids=[payment.move_id for payment in self.active_payments],
            customer_code=self.order.customer_code,
        )


class Catalogue:
    """The codes the ERP has, per kind of record; None: it has every code of that kind. An
    unknown one raises ErpUnknownCodes of its kind, as the Tryton connector does."""

    def __init__(
        self,
        warehouses: Iterable[str] | None,
        products: Iterable[str] | None,
        *,
        customers: Iterable[str] | None = None,
        taxes: Iterable[str] | None = None,
        currencies: Iterable[str] | None = None,
        payment_methods: Iterable[TenderType] | None = None,
    ) -> None:
        self._known: dict[UnknownCode, set[str] | None] = {
            UnknownCode.WAREHOUSE: _codes(warehouses),
            UnknownCode.PRODUCT: _codes(products),
            UnknownCode.CUSTOMER: _codes(customers),
            UnknownCode.TAX: _codes(taxes),
            UnknownCode.CURRENCY: _codes(currencies),
            UnknownCode.PAYMENT_METHOD: _codes(payment_methods),
        }

    def check(self, warehouse_code: str, product_codes: Iterable[str]) -> None:
        self._require(UnknownCode.WAREHOUSE, [warehouse_code])
        self._require(UnknownCode.PRODUCT, product_codes)

    def check_order(self, order: ErpOrder) -> None:
        """Every code a sales order names: warehouse, products, customer, taxes, currency."""
        self.check(order.warehouse_code, [line.product_code for line in order.product_lines])
        if order.customer_code is not None:
            self._require(UnknownCode.CUSTOMER, [order.customer_code])
        taxes = [tax for line in order.product_lines for tax in line.taxes]
        taxes += [tax for line in order.discount_lines for tax in line.taxes]
        self._require(UnknownCode.TAX, [tax.erp_tax_code for tax in taxes])
        self._require(UnknownCode.CURRENCY, [order.currency])

    def check_payments(self, tender_types: Iterable[TenderType]) -> None:
        self._require(UnknownCode.PAYMENT_METHOD, tender_types)

    def add(self, kind: UnknownCode, codes: Iterable[str]) -> None:
        known = self._known[kind]
        if known is not None:
            known.update(codes)

    def knows(self, kind: UnknownCode, code: str) -> bool:
        known = self._known[kind]
        return known is None or code in known

    def add_if_missing(self, kind: UnknownCode, code: str) -> bool:
        """True when ``code`` was not known and now is."""
        known = self._known[kind]
        if known is None or code in known:
            return False
        known.add(code)
        return True

    def _require(self, kind: UnknownCode, codes: Iterable[str]) -> None:
        known = self._known[kind]
        if known is None:
            return
        unknown = sorted({code for code in codes if code not in known})
        if unknown:
            raise ErpUnknownCodes(kind, unknown)


def _codes(codes: Iterable[str] | None) -> set[str] | None:
    return None if codes is None else {str(code) for code in codes}


StockKey = tuple[str, str]
"""(warehouse code, product code); a damaged-goods location is ``<warehouse>-DMG``."""


class StockBook:
    """On-hand quantities per location and product, and what open reservations hold."""

    def __init__(self, on_hand: Mapping[StockKey, Decimal] | None, default: Decimal) -> None:
        self._on_hand: dict[StockKey, Decimal] = dict(on_hand or {})
        self._reserved: defaultdict[StockKey, Decimal] = defaultdict(Decimal)
        self._default = default

    def on_hand(self, key: StockKey) -> Decimal:
        return self._on_hand.get(key, self._default)

    def set_on_hand(self, key: StockKey, quantity: Decimal) -> None:
        self._on_hand[key] = quantity

    def add(self, key: StockKey, quantity: Decimal) -> None:
        """Stock in (``quantity`` > 0) or out of a location: a transfer's or a receipt's."""
        self._on_hand[key] = self.on_hand(key) + quantity

    def level(self, product_code: str, warehouse_code: str) -> StockLevel:
        key = (warehouse_code, product_code)
        on_hand = self.on_hand(key)
        return StockLevel(
            product_code=product_code,
            warehouse_code=warehouse_code,
            on_hand=on_hand,
            available=on_hand - self._reserved[key],
        )

    def reserve(self, order: ErpOrder) -> bool:
        """Hold the order's sold quantities; True when the warehouse had too little (the
        reservation is forced: the goods already left the till)."""
        short = False
        for key, quantity in _sold(order).items():
            short |= self.on_hand(key) - self._reserved[key] < quantity
            self._reserved[key] += quantity
        return short

    def unreserve(self, order: ErpOrder) -> None:
        for key, quantity in _sold(order).items():
            self._reserved[key] -= quantity

    def issue(self, order: ErpOrder, sign: int = 1) -> None:
        """Sold goods leave the warehouse and returned goods come in (``sign=-1`` undoes it)."""
        for key, quantity in _sold(order).items():
            self._on_hand[key] = self.on_hand(key) - sign * quantity
        for key, quantity in _received(order).items():
            self._on_hand[key] = self.on_hand(key) + sign * quantity


def _sold(order: ErpOrder) -> dict[StockKey, Decimal]:
    sold: defaultdict[StockKey, Decimal] = defaultdict(Decimal)
    for line in order.product_lines:
        if line.quantity > 0:
            sold[(order.warehouse_code, line.product_code)] += line.quantity
    return sold


def _received(order: ErpOrder) -> dict[StockKey, Decimal]:
    received: defaultdict[StockKey, Decimal] = defaultdict(Decimal)
    for line in order.product_lines:
        if line.quantity < 0:
            damaged = line.condition is ItemCondition.DAMAGED
            location = order.warehouse_code + (DAMAGED_SUFFIX if damaged else "")
            received[(location, line.product_code)] -= line.quantity
    return received


def standing_postings(orders: Iterable[MemoryOrder]) -> Counter[str]:
    """Per workflow id, its standing (posted, not cancelled) invoices over all attempts."""
    return Counter(order.workflow_id for order in orders if order.standing)


def standing_issues(orders: Iterable[MemoryOrder]) -> Counter[str]:
    """Per workflow id, its orders whose stock stands issued, over all attempts (daily posting
    mode books no invoice per ticket: this is what it books)."""
    return Counter(order.workflow_id for order in orders if order.stock is StockState.ISSUED)


def booked_twice(orders: Iterable[MemoryOrder]) -> list[str]:
    """Workflow ids with more than one standing invoice or issue, or one reference posted or
    issued twice: a correct saga leaves this empty."""
    orders = list(orders)
    doubled = {ticket for ticket, count in standing_postings(orders).items() if count > 1}
    doubled |= {ticket for ticket, count in standing_issues(orders).items() if count > 1}
    doubled |= {
        order.workflow_id
        for order in orders
        if order.effects["posted"] > 1 or order.effects["committed"] > 1
    }
    return sorted(doubled)
