"""The sales side of the memory ERP: each connector step as a synchronous change of its records.

Nothing here awaits, so on one event loop every step is atomic: two concurrent calls for one
reference cannot both take effect. Each step looks its order up by reference first, as the
Tryton connector does, so a repeated call returns what the first one booked.
"""

import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from connectors.erp.errors import ErpRejected
from connectors.erp.memory.figures import (
    ReturnKey,
    check_returnable,
    reconcile_till_figures,
    return_key,
    returnable,
    returned_lines,
)
from connectors.erp.memory.ledger import (
    Catalogue,
    InvoiceState,
    MemoryOrder,
    MemoryPayment,
    StockBook,
    StockState,
    document_ids,
)
from connectors.erp.memory.periods import Periods
from domain.erp_order import ErpOrder, ErpOrderRefs, ErpPayment, ErpPostingResult
from domain.returns import ReturnableQuantity
from domain.transaction import ItemCondition


class Sales:
    def __init__(self, catalogue: Catalogue, stock: StockBook, periods: Periods) -> None:
        self._catalogue = catalogue
        self._stock = stock
        self._periods = periods
        self._orders: dict[str, MemoryOrder] = {}
        self._returns: defaultdict[ReturnKey, list[MemoryOrder]] = defaultdict(list)
        self._ids: Iterator[str] = document_ids()

    def __iter__(self) -> Iterator[MemoryOrder]:
        return iter(list(self._orders.values()))

    def find(self, reference: str) -> MemoryOrder | None:
        return self._orders.get(reference)

    def require(self, reference: str) -> MemoryOrder:
        found = self._orders.get(reference)
        if found is None:
            raise ErpRejected(f"no sale is booked under reference {reference}")
        return found

    def reserve(self, order: ErpOrder, tolerance: Decimal | None) -> ErpOrderRefs:
        found = self._orders.get(order.reference)
        if found is not None:
            if found.cancelled:
                raise ErpRejected(f"sale {found.sale_id} for {order.reference} is cancelled")
            return found.refs()
        self._catalogue.check_order(order)
        check_returnable(order, self._orders.get, self._returns_of)
        reconciliation = reconcile_till_figures(order, tolerance)
        sale_id = next(self._ids)
        booked = MemoryOrder(
            order=order,
            sale_id=sale_id,
            reserved_at=time.monotonic(),
            reserved_beyond_stock=self._stock.reserve(order),
            reconciliation=reconciliation,
            shipment_ids=[next(self._ids)]
            if any(line.quantity > 0 for line in order.product_lines)
            else [],
            return_shipment_ids=[next(self._ids) for _ in _return_shipments(order)],
        )
        booked.record("reserved")
        self._orders[order.reference] = booked
        for line in returned_lines(order):
            self._returns[return_key(line)].append(booked)
        return booked.refs()

    def release(self, reference: str) -> None:
        found = self._orders.get(reference)
        if found is None or found.cancelled:
            return
        found.cancelled = True
        if found.stock is StockState.RESERVED:
            self._stock.unreserve(found.order)
            found.stock = StockState.RELEASED
        if found.invoice is InvoiceState.DRAFT:
            found.invoice = InvoiceState.CANCELLED
        found.record("released")

    def post(self, reference: str, posting_date: date) -> ErpPostingResult:
        found = self.require(reference)
        if found.invoice is InvoiceState.CANCELLED:
            raise ErpRejected(f"the invoice of {reference} was cancelled")
        if found.invoice is InvoiceState.DRAFT:
            self._periods.require_open(posting_date, f"the invoice of {reference}")
            found.invoice = InvoiceState.POSTED
            found.invoice_id = next(self._ids)
            found.posting_date = posting_date
            found.record("posted")
        figures = found.reconciliation
        return ErpPostingResult(
            refs=found.refs(),
            net_total=figures.pos_net,
            tax_total=figures.pos_tax,
            gross_total=figures.pos_net + figures.pos_tax,
            tax_adjustment=figures.tax_adjustment,
            reconciliation=figures,
        )

    def cancel_posting(self, reference: str) -> None:
        found = self._orders.get(reference)
        if found is None or not found.standing:
            return
        self.void_payments(reference)
        found.invoice = InvoiceState.CANCELLED
        found.record("posting_cancelled")

    def pay(self, reference: str, payments: list[ErpPayment]) -> ErpOrderRefs:
        found = self.require(reference)
        if not found.standing:
            raise ErpRejected(f"the invoice of {reference} must be posted before it is paid")
        if not found.active_payments:
            self._catalogue.check_payments(payment.tender_type for payment in payments)
            found.payments += [
                MemoryPayment(
                    next(self._ids), payment.tender_type, payment.amount, payment.reference
                )
                for payment in payments
            ]
            gross = found.reconciliation.pos_net + found.reconciliation.pos_tax
            paid = sum((payment.amount for payment in found.active_payments), Decimal(0))
            found.invoice = InvoiceState.PAID if paid == gross else InvoiceState.POSTED
            found.record("paid")
        return found.refs()

    def void_payments(self, reference: str) -> None:
        found = self._orders.get(reference)
        if found is None or not found.active_payments:
            return
        for payment in found.active_payments:
            payment.voided = True
        if found.invoice is InvoiceState.PAID:
            found.invoice = InvoiceState.POSTED
        found.record("payments_voided")

    def commit(self, reference: str) -> ErpOrderRefs:
        found = self.require(reference)
        if found.stock is StockState.RELEASED:
            raise ErpRejected(f"the reservation of {reference} was released: nothing to issue")
        if found.stock is StockState.RESERVED:
            self._stock.unreserve(found.order)
            self._stock.issue(found.order)
            found.stock = StockState.ISSUED
            found.record("committed")
        return found.refs()

    def issue_reserved(self, reference: str) -> ErpOrderRefs:
        """``commit`` where the stock is still reserved; anything else is left as it is."""
        found = self._orders.get(reference)
        if found is None or found.stock is not StockState.RESERVED:
            return found.refs() if found else ErpOrderRefs(reference=reference)
        return self.commit(reference)

    def return_stock(self, reference: str) -> None:
        found = self._orders.get(reference)
        if found is None or found.stock is not StockState.ISSUED:
            return
        self._stock.issue(found.order, sign=-1)
        found.stock = StockState.RETURNED
        found.record("stock_returned")

    def returnable(self, reference: str, line_number: int) -> ReturnableQuantity:
        key = (reference, line_number)
        return returnable(self._orders.get, self._returns_of(key), key)

    def _returns_of(self, key: ReturnKey) -> list[MemoryOrder]:
        return self._returns.get(key, [])


def _return_shipments(order: ErpOrder) -> set[bool]:
    """One return shipment for resaleable goods and one for damaged ones, as Tryton books them."""
    return {
        line.condition is ItemCondition.DAMAGED for line in order.product_lines if line.quantity < 0
    }
