"""Metering a real ERP from the benchmark: every HTTP request the process sends (count and
milliseconds), those on the hot path (reserving), and when each reservation took effect.

``http_meter`` wraps ``httpx.AsyncClient.send`` for the benchmark's lifetime; the metered
connector marks its reserving calls with a context variable, which the tasks they spawn
inherit, so concurrent tickets never count one another's requests.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from unittest import mock

import httpx

if TYPE_CHECKING:  # only for types: an older checkout may lack reserve_many's request type
    from connectors.erp.base import CommitOutcome, ErpConnector, ReserveOutcome, ReserveRequest
    from domain.erp_order import (
        ErpOrder,
        ErpOrderRefs,
        ErpPayment,
        ErpPostingResult,
        StockLevel,
    )
    from domain.master_data import ErpMasterData


@dataclass
class Tally:
    requests: int = 0
    seconds: float = 0.0

    def add(self, seconds: float) -> None:
        self.requests += 1
        self.seconds += seconds


_HOT: contextvars.ContextVar[bool] = contextvars.ContextVar("hot_path", default=False)


class HttpMeter:
    """All HTTP requests sent (``total``) and those sent on the hot path (``hot``)."""

    def __init__(self) -> None:
        self.total = Tally()
        self.hot = Tally()

    def reset(self) -> None:
        self.total = Tally()
        self.hot = Tally()


@contextmanager
def http_meter() -> Iterator[HttpMeter]:
    meter = HttpMeter()
    send = httpx.AsyncClient.send

    async def metered_send(
        client: httpx.AsyncClient, request: httpx.Request, **options: Any
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            return await send(client, request, **options)
        finally:
            elapsed = time.perf_counter() - started
            meter.total.add(elapsed)
            if _HOT.get():
                meter.hot.add(elapsed)

    with mock.patch.object(httpx.AsyncClient, "send", metered_send):
        yield meter


@contextmanager
def _hot_path() -> Iterator[None]:
    token = _HOT.set(True)
    try:
        yield
    finally:
        _HOT.reset(token)


class MeteredConnector:
    """An ErpConnector that delegates every call, marking ``check_codes``, ``reserve`` and
    ``reserve_many`` as the hot path and noting ``time.monotonic()`` when each reservation
    returned (per ERP reference)."""

    def __init__(self, inner: ErpConnector) -> None:
        self._inner = inner
        self.reserved_at: dict[str, float] = {}
        self.reserve_calls = 0
        self.reserve_orders = 0

    def reset(self) -> None:
        self.reserved_at.clear()
        self.reserve_calls = 0
        self.reserve_orders = 0

    async def check_codes(self, warehouse_code: str, product_codes: list[str]) -> None:
        with _hot_path():
            await self._inner.check_codes(warehouse_code, product_codes)

    async def reserve(self, order: ErpOrder, tolerance: Decimal | None = None) -> ErpOrderRefs:
        with _hot_path():
            refs = await self._inner.reserve(order, tolerance)
        self.reserved_at.setdefault(order.reference, time.monotonic())
        self.reserve_calls += 1
        self.reserve_orders += 1
        return refs

    async def reserve_many(self, requests: Sequence[ReserveRequest]) -> list[ReserveOutcome]:
        with _hot_path():
            outcomes = await self._inner.reserve_many(requests)
        now = time.monotonic()
        for request, outcome in zip(requests, outcomes, strict=True):
            if not isinstance(outcome, Exception):
                self.reserved_at.setdefault(request.order.reference, now)
        self.reserve_calls += 1
        self.reserve_orders += len(requests)
        return outcomes

    async def create_customer_if_missing(self, code: str) -> bool:
        return await self._inner.create_customer_if_missing(code)

    async def release_if_present(self, reference: str) -> None:
        await self._inner.release_if_present(reference)

    async def post(self, reference: str, posting_date: date) -> ErpPostingResult:
        return await self._inner.post(reference, posting_date)

    async def cancel_posting_if_present(self, reference: str) -> None:
        await self._inner.cancel_posting_if_present(reference)

    async def pay(self, reference: str, payments: list[ErpPayment]) -> ErpOrderRefs:
        return await self._inner.pay(reference, payments)

    async def void_payments_if_present(self, reference: str) -> None:
        await self._inner.void_payments_if_present(reference)

    async def commit(self, reference: str) -> ErpOrderRefs:
        return await self._inner.commit(reference)

    async def commit_many(self, references: Sequence[str]) -> list[CommitOutcome]:
        return await self._inner.commit_many(references)

    async def issue_reserved(self, references: Sequence[str]) -> list[CommitOutcome]:
        return await self._inner.issue_reserved(references)

    async def return_stock_if_present(self, reference: str) -> None:
        await self._inner.return_stock_if_present(reference)

    async def stock_level(self, product_code: str, warehouse_code: str) -> StockLevel:
        return await self._inner.stock_level(product_code, warehouse_code)

    async def stock_levels(
        self, product_codes: Sequence[str], warehouse_code: str
    ) -> list[StockLevel]:
        return await self._inner.stock_levels(product_codes, warehouse_code)

    async def master_data(self, since: datetime | None) -> ErpMasterData:
        return await self._inner.master_data(since)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __getattr__(self, name: str) -> Any:
        """Anything the protocol gains later, delegated as is (not metered)."""
        return getattr(self._inner, name)
