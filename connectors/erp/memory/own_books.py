"""What the memory ERP holds, read and set directly by tests and benchmarks: its orders with
their effects, stock, periods and codes (no call: no latency, faults or counting)."""

from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from connectors.erp.errors import UnknownCode
from connectors.erp.memory.ledger import (
    Catalogue,
    MemoryOrder,
    StockBook,
    booked_twice,
    standing_issues,
    standing_postings,
)
from connectors.erp.memory.periods import Periods
from connectors.erp.memory.sales import Sales
from connectors.erp.memory.stock_moves import StockMovements
from domain.erp_order import StockLevel
from domain.periods import ErpPeriod


class OwnBooks:
    """Mixed into MemoryErp, which sets what it reads."""

    _catalogue: Catalogue
    _stock: StockBook
    _periods: Periods
    _sales: Sales
    _movements: StockMovements

    def order(self, reference: str) -> MemoryOrder:
        """The order booked under ``reference`` (KeyError if none): state, history, effects."""
        found = self._sales.find(reference)
        if found is None:
            raise KeyError(f"the memory ERP has no order under {reference!r}")
        return found

    def orders(self) -> list[MemoryOrder]:
        return list(self._sales)

    def effects(self, reference: str) -> Counter[str]:
        """The changes that took effect under ``reference`` (reserved, posted, paid, ...)."""
        found = self._sales.find(reference)
        return Counter(found.effects) if found else Counter()

    def reserved_at(self, reference: str) -> float | None:
        """``time.monotonic()`` when the reservation under ``reference`` took effect."""
        found = self._sales.find(reference)
        return found.reserved_at if found else None

    def standing_postings(self) -> Counter[str]:
        return standing_postings(self._sales)

    def standing_issues(self) -> Counter[str]:
        return standing_issues(self._sales)

    def posted_twice(self) -> list[str]:
        return booked_twice(self._sales)

    def stock_of(self, product_code: str, warehouse_code: str) -> StockLevel:
        """``stock_level`` without being a call (no latency, faults or counting)."""
        return self._stock.level(product_code, warehouse_code)

    @property
    def movements(self) -> StockMovements:
        """Transfers, purchase orders and supplier shipments (``add_purchase_order`` seeds)."""
        return self._movements

    def period(self, day: date) -> ErpPeriod:
        return self._periods.of(day)

    def add_codes(
        self,
        warehouses: Iterable[str] = (),
        products: Iterable[str] = (),
        customers: Iterable[str] = (),
    ) -> None:
        self._catalogue.add(UnknownCode.WAREHOUSE, warehouses)
        self._catalogue.add(UnknownCode.PRODUCT, products)
        self._catalogue.add(UnknownCode.CUSTOMER, customers)

    def knows_customer(self, code: str) -> bool:
        return self._catalogue.knows(UnknownCode.CUSTOMER, code)

    def set_on_hand(self, product_code: str, warehouse_code: str, quantity: Decimal) -> None:
        self._stock.set_on_hand((warehouse_code, product_code), quantity)
