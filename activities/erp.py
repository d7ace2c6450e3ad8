"""ERP activities: each saga step and its compensation, over the configured ErpConnector.

Transient failures (ErpUnavailable, or anything unexpected) propagate and Temporal retries
them with backoff. Business refusals become non-retryable failures that park the saga.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field
from temporalio import activity

from activities.batching import ErpBatcher
from activities.errors import business_failure, raise_business_failure, unknown_codes_failure
from activities.heartbeat import heartbeating
from connectors.erp.base import ErpConnector, ReserveRequest
from connectors.erp.errors import (
    ErpRejected,
    ErpReturnRefused,
    ErpTotalsMismatch,
    ErpUnknownCodes,
    UnknownCode,
)
from domain.erp_order import ErpOrder, ErpOrderRefs, ErpPayment, ErpPostingResult
from domain.outcomes import ExceptionKind
from domain.screening import check_posting, posting_tolerance
from domain.settings import UnknownCustomer


class PostRequest(BaseModel):
    reference: str
    posting_date: date


class PayRequest(BaseModel):
    reference: str
    payments: list[ErpPayment]


class BookRequest(BaseModel):
    order: ErpOrder
    posting_date: date | None = Field(
        description="None: nothing to post per ticket (a daily posting books the day)"
    )


class BookResult(BaseModel):
    refs: ErpOrderRefs
    posting: ErpPostingResult | None = None


@asynccontextmanager
async def erp_call() -> AsyncIterator[None]:
    """A forward step: heartbeat, and classify the connector's business refusals."""
    try:
        async with heartbeating():
            yield
    except ErpUnknownCodes as error:
        raise unknown_codes_failure(error) from error
    except ErpTotalsMismatch as error:
        figures = error.reconciliation
        raise business_failure(
            ExceptionKind.TOTALS_MISMATCH,
            str(error),
            {
                "erp_net": str(figures.erp_net),
                "pos_net": str(figures.pos_net),
                "erp_tax": str(figures.erp_tax),
                "pos_tax": str(figures.pos_tax),
                "tolerance": str(error.tolerance),
            },
        ) from error
    except ErpReturnRefused as error:
        raise business_failure(
            ExceptionKind.RETURN_REFUSED,
            str(error),
            {
                "original_reference": error.original_reference,
                "original_line": str(error.original_line_number),
            },
        ) from error
    except ErpRejected as error:
        raise business_failure(ExceptionKind.ERP_REJECTED, f"the ERP refused: {error}") from error


class ErpActivities:
    def __init__(
        self,
        connector: ErpConnector,
        tax_tolerance_per_line: Decimal,
        *,
        max_concurrent_calls: int = 8,
        batch_window_seconds: float = 0.0,
        batch_max: int = 50,
        batch_lanes: int = 1,
        unknown_customer: UnknownCustomer = UnknownCustomer.CASH_SALE,
        stock_changed: Callable[[str, Iterable[str]], None] | None = None,
    ) -> None:
        """At most ``max_concurrent_calls`` ERP calls are out at once from this worker (a
        batch is one); more wait their turn instead of overloading the ERP. Reservations, and
        stock issues, that arrive together go together, a lane's at a time (``batch_*``:
        activities/batching.py).
        ``unknown_customer``: what a reservation does when the ERP has no such customer.
        ``stock_changed(store_id, product_codes)`` is told after every reservation and stock
        issue (activities/available.py: available-to-sell goes back to the tills)."""
        self._erp = connector
        self._stock_changed = stock_changed
        self._unknown_customer = unknown_customer
        self._tax_tolerance_per_line = tax_tolerance_per_line
        self._erp_calls = asyncio.Semaphore(max_concurrent_calls)
        self._reservations = ErpBatcher(
            connector.reserve_many, self._erp_calls, batch_window_seconds, batch_max, batch_lanes
        )
        self._commits = ErpBatcher(
            connector.commit_many, self._erp_calls, batch_window_seconds, batch_max, batch_lanes
        )

    @asynccontextmanager
    async def _step(self) -> AsyncIterator[None]:
        async with erp_call(), self._erp_calls:
            yield

    @asynccontextmanager
    async def _undo(self) -> AsyncIterator[None]:
        """A compensation never gives up: every error, refusals included, is retried with
        backoff (and shows in the UI as a retrying activity) until the ERP accepts the undo."""
        async with heartbeating(), self._erp_calls:
            yield

    @activity.defn(name="erp.reserve")
    async def reserve(self, order: ErpOrder) -> ErpOrderRefs:
        """Book the order with the till's net and taxes; rounding within tolerance is adjusted,
        beyond it the order is refused (totals_mismatch) before any stock is reserved. Goes
        out with the other reservations of its lane waiting at the same moment."""
        tolerance = posting_tolerance(order, self._tax_tolerance_per_line)
        async with erp_call():
            try:
                refs = await self._reserve(ReserveRequest(order, tolerance))
            except ErpUnknownCodes as error:
                if not self._unknown_customer_of(order, error):
                    raise
                refs = await self._reserve_for_unknown_customer(order, tolerance)
        self._tell_stock_changed(order)
        if order.customer_code is not None and refs.customer_code != order.customer_code:
            # Also when an earlier attempt of this activity booked the cash sale and this one
            # found it by reference.
            return refs.model_copy(update={"unknown_customer": order.customer_code})
        return refs

    def _unknown_customer_of(self, order: ErpOrder, error: ErpUnknownCodes) -> bool:
        """Whether ``error`` is the order's customer missing from the ERP, and the worker
        books such a sale all the same (unless it is set to park it)."""
        return (
            error.kind == UnknownCode.CUSTOMER
            and order.customer_code is not None
            and self._unknown_customer is not UnknownCustomer.PARK
        )

    async def _reserve_for_unknown_customer(
        self, order: ErpOrder, tolerance: Decimal
    ) -> ErpOrderRefs:
        """The sale's stock is reserved whoever the customer is: the customer captured at the
        till is created in the ERP (``create``), or the sale books to the cash-sale customer."""
        if self._unknown_customer is UnknownCustomer.CREATE and order.customer_code is not None:
            async with self._erp_calls:
                if await self._erp.create_customer_if_missing(order.customer_code):
                    activity.logger.info("created customer %s in the ERP", order.customer_code)
            return await self._reserve(ReserveRequest(order, tolerance))
        cash_sale = order.model_copy(update={"customer_code": None})
        return await self._reserve(ReserveRequest(cash_sale, tolerance))

    async def _reserve(self, request: ReserveRequest) -> ErpOrderRefs:
        order = request.order
        return await self._reservations.submit(order.warehouse_code, request, order.reference)

    @activity.defn(name="erp.book")
    async def book(self, request: BookRequest) -> BookResult:
        """The books of a reserved order, forward only: post (the booked gross must be the
        till's), pay, then issue the stock. Each step is idempotent, so a retry resumes."""
        order, reference = request.order, request.order.reference
        posting: ErpPostingResult | None = None
        refs = ErpOrderRefs(reference=reference)
        async with erp_call():
            if request.posting_date is not None:
                async with self._erp_calls:
                    posting = await self._erp.post(reference, request.posting_date)
                refs = refs.updated_by(posting.refs)
                if mismatch := check_posting(order, posting, self._tax_tolerance_per_line):
                    raise_business_failure(mismatch)
                if order.payments:
                    async with self._erp_calls:
                        refs = refs.updated_by(await self._erp.pay(reference, order.payments))
            refs = refs.updated_by(
                await self._commits.submit(order.warehouse_code, reference, reference)
            )
        self._tell_stock_changed(order)
        return BookResult(refs=refs, posting=posting)

    def _tell_stock_changed(self, order: ErpOrder) -> None:
        if self._stock_changed is not None:
            self._stock_changed(order.store_id, [line.product_code for line in order.product_lines])

    @activity.defn(name="erp.pay")
    async def pay(self, request: PayRequest) -> ErpOrderRefs:
        async with self._step():
            return await self._erp.pay(request.reference, request.payments)

    @activity.defn(name="erp.void_payments_if_present")
    async def void_payments_if_present(self, reference: str) -> None:
        async with self._undo():
            await self._erp.void_payments_if_present(reference)

    @activity.defn(name="erp.release_if_present")
    async def release_if_present(self, reference: str) -> None:
        async with self._undo():
            await self._erp.release_if_present(reference)

    @activity.defn(name="erp.post")
    async def post(self, request: PostRequest) -> ErpPostingResult:
        async with self._step():
            return await self._erp.post(request.reference, request.posting_date)

    @activity.defn(name="erp.cancel_posting_if_present")
    async def cancel_posting_if_present(self, reference: str) -> None:
        async with self._undo():
            await self._erp.cancel_posting_if_present(reference)

    @activity.defn(name="erp.commit")
    async def commit(self, reference: str) -> ErpOrderRefs:
        async with self._step():
            return await self._erp.commit(reference)

    @activity.defn(name="erp.return_stock_if_present")
    async def return_stock_if_present(self, reference: str) -> None:
        async with self._undo():
            await self._erp.return_stock_if_present(reference)
