"""MemoryErp: an ERP in memory that keeps the ErpConnector and ErpBooks promises, for fast saga
tests and benchmarks.

Every call goes the same way: it is counted, waits out its latency, may fail transiently or
by a scripted fault before it does anything, takes effect (synchronously, so atomically on
the event loop), and may then fail by a fault scripted to strike after the effect, which is
how a step that timed out after taking effect looks to the saga.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import TypeVar

from connectors.erp.base import CommitOutcome, ReserveOutcome, ReserveRequest
from connectors.erp.errors import UnknownCode
from connectors.erp.memory.book_calls import BookCalls
from connectors.erp.memory.books import ConsolidatedBook
from connectors.erp.memory.faults import STEPS, CallConditions, Faults, ScriptedFault
from connectors.erp.memory.inspection_calls import InspectionCalls
from connectors.erp.memory.ledger import (
    DAMAGED_SUFFIX,
    Catalogue,
    StockBook,
    StockKey,
)
from connectors.erp.memory.master_data import MasterRecords
from connectors.erp.memory.own_books import OwnBooks
from connectors.erp.memory.periods import Periods
from connectors.erp.memory.sales import Sales
from connectors.erp.memory.stock_calls import StockMoveCalls
from connectors.erp.memory.stock_moves import StockMovements
from domain.erp_order import ErpOrder, ErpOrderRefs, ErpPayment, ErpPostingResult, StockLevel
from domain.master_data import ErpMasterData
from domain.transaction import TenderType

ResultT = TypeVar("ResultT")


class MemoryErp(BookCalls, InspectionCalls, StockMoveCalls, OwnBooks):
    """The ErpConnector, ErpBooks, ErpStockMoves and ErpInspection of an ERP that lives in this
    process (the worked example of docs/connectors.md).

    ``warehouses``, ``products``, ``customers``, ``taxes``, ``currencies`` and
    ``payment_methods``: the codes it knows (None: every code of that kind). ``stock``: on-hand
    quantity per (warehouse code, product code); any other pair holds ``default_stock``.
    ``unit_costs``: product code -> unit cost, for the cost of goods of daily postings.
    """

    def __init__(
        self,
        warehouses: Iterable[str] | None = None,
        products: Iterable[str] | None = None,
        stock: Mapping[StockKey, Decimal] | None = None,
        *,
        default_stock: Decimal = Decimal(0),
        customers: Iterable[str] | None = None,
        taxes: Iterable[str] | None = None,
        currencies: Iterable[str] | None = None,
        payment_methods: Iterable[TenderType] | None = None,
        unit_costs: Mapping[str, Decimal] | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        transient_failure_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        self._catalogue = Catalogue(
            warehouses,
            products,
            customers=customers,
            taxes=taxes,
            currencies=currencies,
            payment_methods=payment_methods,
        )
        for warehouse, product in stock or {}:
            self._catalogue.check(warehouse, [product])
        self._stock = StockBook(stock, default_stock)
        self._periods = Periods()
        self._sales = Sales(self._catalogue, self._stock, self._periods)
        self._movements = StockMovements(self._catalogue, self._stock)
        self._consolidated = ConsolidatedBook(self._periods, self._sales, unit_costs or {})
        self.master = MasterRecords(lambda code: self.add_codes(products=[code]))
        """Items, promotions and tax rates, for ``master_data``."""
        self._faults = Faults()
        self._conditions = CallConditions(latency, jitter, transient_failure_rate, seed)
        self.calls: Counter[str] = Counter()
        """Calls received, by method name (a ``reserve_many`` is one call, whatever its size)."""
        self.batched_orders = 0
        """Orders received through ``reserve_many``."""
        self.batched_commits = 0
        """Orders received through ``commit_many``."""

    # -- faults ----------------------------------------------------------------------------

    def fail(
        self,
        step: str,
        error: Exception | None = None,
        *,
        times: int | None = 1,
        reference: str | None = None,
        after_effect: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``step`` (None: every call until cleared) raise
        ``error`` (default ErpUnavailable), before the step takes effect, or after it with
        ``after_effect``. ``reference``: only calls for it, or, given a workflow id, for any
        of its attempts (``<id>~N``). A ``reserve`` fault also strikes that order within a
        ``reserve_many`` (as its outcome); a ``reserve_many`` fault fails the whole call."""
        self._faults.script(step, error, times, reference, after_effect)

    def clear_faults(self, step: str | None = None) -> None:
        """Drop the scripted faults and slow steps (of ``step``; None: all)."""
        self._faults.clear(step)
        slow = self._conditions.slow_steps
        for name in [name for name in slow if step in (None, name)]:
            del slow[name]

    def slow_down(self, step: str, seconds: float) -> None:
        """Make every call of ``step`` take ``seconds`` more, until the faults are cleared."""
        if step not in STEPS:
            raise ValueError(f"no ERP step {step!r}")
        self._conditions.slow_steps[step] = seconds

    @property
    def pending_faults(self) -> list[ScriptedFault]:
        return self._faults.pending

    # -- ErpConnector ----------------------------------------------------------------------

    async def check_codes(self, warehouse_code: str, product_codes: list[str]) -> None:
        await self._call(
            "check_codes", None, lambda: self._catalogue.check(warehouse_code, product_codes)
        )

    async def create_customer_if_missing(self, code: str) -> bool:
        return await self._call(
            "create_customer_if_missing",
            code,
            lambda: self._catalogue.add_if_missing(UnknownCode.CUSTOMER, code),
        )

    async def reserve(self, order: ErpOrder, tolerance: Decimal | None = None) -> ErpOrderRefs:
        return await self._call(
            "reserve", order.reference, lambda: self._sales.reserve(order, tolerance)
        )

    async def reserve_many(self, requests: Sequence[ReserveRequest]) -> list[ReserveOutcome]:
        self.batched_orders += len(requests)
        return await self._call(
            "reserve_many",
            None,
            lambda: [
                self._one_of_many(
                    "reserve",
                    request.order.reference,
                    partial(self._sales.reserve, request.order, request.tolerance),
                )
                for request in requests
            ],
        )

    async def commit_many(self, references: Sequence[str]) -> list[CommitOutcome]:
        self.batched_commits += len(references)
        return await self._each_reference("commit_many", "commit", references, self._sales.commit)

    async def issue_reserved(self, references: Sequence[str]) -> list[CommitOutcome]:
        return await self._each_reference(
            "issue_reserved", "issue_reserved", references, self._sales.issue_reserved
        )

    async def _each_reference(
        self,
        call: str,
        step: str,
        references: Sequence[str],
        effect: Callable[[str], ErpOrderRefs],
    ) -> list[CommitOutcome]:
        """One call for ``references``; each takes effect (or fails) as its own ``step``."""
        return await self._call(
            call,
            None,
            lambda: [
                self._one_of_many(step, reference, partial(effect, reference))
                for reference in references
            ],
        )

    def _one_of_many(
        self, step: str, reference: str, effect: Callable[[], ErpOrderRefs]
    ) -> ErpOrderRefs | Exception:
        """One order of a batch: ``step``'s faults strike it alone, as its outcome."""
        try:
            self._faults.raise_if_scripted(step, reference, after_effect=False)
            refs = effect()
            self._faults.raise_if_scripted(step, reference, after_effect=True)
        except Exception as error:
            return error
        return refs

    async def release_if_present(self, reference: str) -> None:
        await self._call("release_if_present", reference, lambda: self._sales.release(reference))

    async def post(self, reference: str, posting_date: date) -> ErpPostingResult:
        return await self._call(
            "post", reference, lambda: self._sales.post(reference, posting_date)
        )

    async def cancel_posting_if_present(self, reference: str) -> None:
        await self._call(
            "cancel_posting_if_present", reference, lambda: self._sales.cancel_posting(reference)
        )

    async def pay(self, reference: str, payments: list[ErpPayment]) -> ErpOrderRefs:
        return await self._call("pay", reference, lambda: self._sales.pay(reference, payments))

    async def void_payments_if_present(self, reference: str) -> None:
        await self._call(
            "void_payments_if_present", reference, lambda: self._sales.void_payments(reference)
        )

    async def commit(self, reference: str) -> ErpOrderRefs:
        return await self._call("commit", reference, lambda: self._sales.commit(reference))

    async def return_stock_if_present(self, reference: str) -> None:
        await self._call(
            "return_stock_if_present", reference, lambda: self._sales.return_stock(reference)
        )

    async def stock_level(self, product_code: str, warehouse_code: str) -> StockLevel:
        def level() -> StockLevel:
            self._catalogue.check(warehouse_code.removesuffix(DAMAGED_SUFFIX), [product_code])
            return self._stock.level(product_code, warehouse_code)

        return await self._call("stock_level", None, level)

    async def stock_levels(
        self, product_codes: Sequence[str], warehouse_code: str
    ) -> list[StockLevel]:
        def levels() -> list[StockLevel]:
            self._catalogue.check(warehouse_code.removesuffix(DAMAGED_SUFFIX), [])
            known = [
                code
                for code in sorted(set(product_codes))
                if self._catalogue.knows(UnknownCode.PRODUCT, code)
            ]
            return [self._stock.level(code, warehouse_code) for code in known]

        return await self._call("stock_levels", None, levels)

    async def master_data(self, since: datetime | None) -> ErpMasterData:
        return await self._call("master_data", None, lambda: self.master.since(since))

    async def aclose(self) -> None:
        """Nothing to release; the ERP keeps its books (both protocols close the one object)."""

    async def _call(
        self, step: str, reference: str | None, effect: Callable[[], ResultT]
    ) -> ResultT:
        self.calls[step] += 1
        await self._conditions.pass_through(step)
        self._faults.raise_if_scripted(step, reference, after_effect=False)
        result = effect()
        self._faults.raise_if_scripted(step, reference, after_effect=True)
        return result
