"""The memory ERP's transfers between warehouses (through a transit location) and its purchase
orders with their supplier receipts, keeping the ErpStockMoves promises."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from connectors.erp.errors import ErpRejected, ErpUnknownCodes, UnknownCode
from connectors.erp.memory.ledger import Catalogue, StockBook, document_ids
from domain.stock_moves import (
    ErpPurchaseLine,
    ErpPurchaseOrder,
    ErpPurchaseReceipt,
    ErpStockRefs,
    ErpTransfer,
    ErpTransferReceipt,
    totals_by_product,
)

TRANSIT = "TRANSIT"
"""The location goods sit in between a transfer's dispatch and its receipt."""


@dataclass
class MemoryTransfer:
    transfer: ErpTransfer
    shipment_id: str
    state: str = "shipped"
    received: dict[str, Decimal] = field(default_factory=dict)
    effects: Counter[str] = field(default_factory=Counter)

    @property
    def dispatched(self) -> dict[str, Decimal]:
        return totals_by_product(self.transfer.lines)

    def refs(self) -> ErpStockRefs:
        return ErpStockRefs(
            reference=self.transfer.reference,
            shipment_id=self.shipment_id,
            state=self.state,
            dispatched=self.dispatched,
            received=self.received,
        )


@dataclass
class MemoryPurchase:
    number: str
    warehouse_code: str
    lines: list[ErpPurchaseLine]


@dataclass
class MemorySupplierShipment:
    receipt: ErpPurchaseReceipt
    shipment_id: str
    effects: Counter[str] = field(default_factory=Counter)

    def refs(self) -> ErpStockRefs:
        quantities: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.receipt.lines:
            quantities[line.product_code] += line.quantity
        return ErpStockRefs(
            reference=self.receipt.reference,
            shipment_id=self.shipment_id,
            state="done",
            received=dict(quantities),
        )


class StockMovements:
    def __init__(self, catalogue: Catalogue, stock: StockBook) -> None:
        self._catalogue = catalogue
        self._stock = stock
        self._ids = document_ids()
        self.transfers: dict[str, MemoryTransfer] = {}
        self.purchases: dict[str, MemoryPurchase] = {}
        self.supplier_shipments: dict[str, MemorySupplierShipment] = {}

    def add_purchase_order(
        self, number: str, warehouse_code: str, lines: list[tuple[str, Decimal]]
    ) -> ErpPurchaseOrder:
        self._catalogue.check(warehouse_code, [product for product, _ in lines])
        self.purchases[number] = MemoryPurchase(
            number,
            warehouse_code,
            [
                ErpPurchaseLine(
                    line_id=next(self._ids), product_code=product, ordered=qty, outstanding=qty
                )
                for product, qty in lines
            ],
        )
        return self.purchase_order(number, warehouse_code)

    def dispatch(self, transfer: ErpTransfer) -> ErpStockRefs:
        existing = self.transfers.get(transfer.reference)
        if existing is not None and existing.state != "cancelled":
            return existing.refs()
        products = [line.product_code for line in transfer.lines]
        self._catalogue.check(transfer.from_warehouse, products)
        self._catalogue.check(transfer.to_warehouse, products)
        booked = MemoryTransfer(transfer, next(self._ids))
        for code, quantity in booked.dispatched.items():
            self._stock.add((transfer.from_warehouse, code), -quantity)
            self._stock.add((TRANSIT, code), quantity)
        booked.effects["dispatched"] += 1
        self.transfers[transfer.reference] = booked
        return booked.refs()

    def cancel_dispatch(self, reference: str) -> None:
        """Undo a dispatch that was not received yet: the goods go back where they left."""
        booked = self.transfers.get(reference)
        if booked is None or booked.state != "shipped":
            return
        for code, quantity in booked.dispatched.items():
            self._stock.add((TRANSIT, code), -quantity)
            self._stock.add((booked.transfer.from_warehouse, code), quantity)
        booked.state = "cancelled"
        booked.effects["cancelled"] += 1

    def find_transfer(self, reference: str) -> ErpStockRefs | None:
        booked = self.transfers.get(reference)
        return booked.refs() if booked and booked.state != "cancelled" else None

    def receive(self, receipt: ErpTransferReceipt) -> ErpStockRefs:
        booked = self.transfers.get(receipt.reference)
        if booked is None or booked.state == "cancelled":
            raise ErpRejected(f"transfer {receipt.reference} was never dispatched")
        if booked.state == "done":
            return booked.refs()
        self._catalogue.check(
            booked.transfer.to_warehouse, [line.product_code for line in receipt.lines]
        )
        booked.received = totals_by_product(receipt.lines)
        for code, quantity in booked.received.items():
            self._stock.add((TRANSIT, code), -quantity)
            self._stock.add((booked.transfer.to_warehouse, code), quantity)
        booked.state = "done"
        booked.effects["received"] += 1
        return booked.refs()

    def purchase_order(self, number: str, warehouse_code: str) -> ErpPurchaseOrder:
        purchase = self.purchases.get(number)
        if purchase is None or purchase.warehouse_code != warehouse_code:
            raise ErpUnknownCodes(UnknownCode.PURCHASE_ORDER, [number])
        return ErpPurchaseOrder(
            number=number, warehouse_code=warehouse_code, lines=list(purchase.lines)
        )

    def receive_purchase(self, receipt: ErpPurchaseReceipt) -> ErpStockRefs:
        existing = self.supplier_shipments.get(receipt.reference)
        if existing is not None:
            return existing.refs()
        purchase = self.purchases.get(receipt.purchase_order)
        if purchase is None:
            raise ErpUnknownCodes(UnknownCode.PURCHASE_ORDER, [receipt.purchase_order])
        self._catalogue.check(receipt.warehouse_code, [line.product_code for line in receipt.lines])
        taken: dict[str, Decimal] = defaultdict(Decimal)
        for line in receipt.lines:
            self._stock.add((receipt.warehouse_code, line.product_code), line.quantity)
            if line.purchase_line_id is not None:
                taken[line.purchase_line_id] += line.quantity
        purchase.lines = [
            line.model_copy(
                update={"outstanding": max(Decimal(0), line.outstanding - taken[line.line_id])}
            )
            for line in purchase.lines
        ]
        shipment = MemorySupplierShipment(receipt, next(self._ids))
        shipment.effects["received"] += 1
        self.supplier_shipments[receipt.reference] = shipment
        return shipment.refs()
