"""The reservation batcher (group commit per lane of warehouses) and the ERP period cache."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from activities.batching import ErpBatcher
from activities.daily_posting import BatchPostRequest, DailyPostingActivities
from activities.period_cache import CachedPeriods
from connectors.erp.base import ReserveOutcome, ReserveRequest
from connectors.erp.errors import ErpUnavailable, ErpUnknownCodes
from connectors.erp.memory import MemoryErp
from domain.breakdown import OrderBooking, TicketBreakdown
from domain.consolidation import ConsolidatedTotals, ConsolidationBatch
from domain.erp_order import ErpOrder, ErpOrderRefs, ErpProductLine
from domain.outcomes import Outcome
from domain.periods import ErpPeriod, PostingMode
from store.consolidations import prepare_batch
from store.db import create_store_engine, session_scope
from store.tables import JournalEntry
from tests.erp_orders import london_order


def _order(reference: str, warehouse: str = "WH-LON", product: str = "TEA-001") -> ErpOrder:
    return london_order(
        reference,
        [
            ErpProductLine(
                pos_line_number=1,
                product_code=product,
                description="tea",
                quantity=Decimal(1),
                unit_price=Decimal("3.00"),
                net_amount=Decimal("3.00"),
            )
        ],
        warehouse=warehouse,
        description=reference,
    )


def _batcher(
    erp: MemoryErp, window: float = 0.0, calls: int = 8, most: int = 50, lanes: int = 1
) -> ErpBatcher[ReserveRequest]:
    return ErpBatcher(erp.reserve_many, asyncio.Semaphore(calls), window, most, lanes)


async def _reserve(batcher: ErpBatcher[ReserveRequest], request: ReserveRequest) -> ErpOrderRefs:
    return await batcher.submit(request.order.warehouse_code, request, request.order.reference)


async def test_reservations_arriving_while_a_call_is_out_go_together_in_the_next() -> None:
    erp = MemoryErp(default_stock=Decimal(100), latency=0.05)
    batcher = _batcher(erp)

    first = asyncio.create_task(_reserve(batcher, ReserveRequest(_order("A"))))
    await asyncio.sleep(0.01)  # A's call is out
    rest = [_reserve(batcher, ReserveRequest(_order(f"B{n}"))) for n in range(5)]
    refs = await asyncio.gather(first, *rest)

    assert [ref.reference for ref in refs] == ["A", *(f"B{n}" for n in range(5))]
    assert erp.calls["reserve_many"] == 2
    assert erp.batched_orders == 6
    assert erp.stock_of("TEA-001", "WH-LON").available == 94


async def test_an_order_submitted_again_while_out_waits_for_it_and_is_sent_once() -> None:
    """A local attempt that gave up waiting (cancelled) leaves its order out; the activity
    that retries it on the same worker gets that call's outcome."""
    erp = MemoryErp(default_stock=Decimal(100), latency=0.05)
    batcher = _batcher(erp)

    given_up = asyncio.create_task(_reserve(batcher, ReserveRequest(_order("A"))))
    await asyncio.sleep(0.01)  # A's call is out
    given_up.cancel()
    retried = await _reserve(batcher, ReserveRequest(_order("A")))
    again = await _reserve(batcher, ReserveRequest(_order("A")))  # settled: sent anew

    assert given_up.cancelled()
    assert (retried.reference, again.reference) == ("A", "A")
    assert erp.calls["reserve_many"] == 2
    assert erp.stock_of("TEA-001", "WH-LON").available == 99, "reserved once"


async def test_the_window_gathers_a_quiet_stores_first_reservations() -> None:
    erp = MemoryErp(default_stock=Decimal(100))
    batcher = _batcher(erp, window=0.05)

    await asyncio.gather(*(_reserve(batcher, ReserveRequest(_order(f"T{n}"))) for n in range(4)))

    assert erp.calls["reserve_many"] == 1


class _CountingConnector(MemoryErp):
    def __init__(self) -> None:
        super().__init__(default_stock=Decimal(100), latency=0.02)
        self.out = 0
        self.most_out = 0

    async def reserve_many(self, requests: Sequence[ReserveRequest]) -> list[ReserveOutcome]:
        self.out += 1
        self.most_out = max(self.most_out, self.out)
        try:
            return await super().reserve_many(requests)
        finally:
            self.out -= 1


async def test_one_lane_sends_the_chains_stores_together() -> None:
    erp = MemoryErp(default_stock=Decimal(100))
    batcher = _batcher(erp, window=0.02)

    await asyncio.gather(
        *(_reserve(batcher, ReserveRequest(_order(f"L{n}"))) for n in range(5)),
        *(_reserve(batcher, ReserveRequest(_order(f"D{n}", "WH-LDS"))) for n in range(2)),
    )

    assert erp.calls["reserve_many"] == 1
    assert erp.batched_orders == 7
    assert erp.stock_of("TEA-001", "WH-LDS").available == 98


async def test_with_two_lanes_each_warehouse_has_its_own_and_a_batch_is_capped() -> None:
    erp = _CountingConnector()
    batcher = _batcher(erp, window=0.02, most=3, lanes=2)

    await asyncio.gather(
        *(_reserve(batcher, ReserveRequest(_order(f"L{n}"))) for n in range(5)),
        *(_reserve(batcher, ReserveRequest(_order(f"D{n}", "WH-LDS"))) for n in range(2)),
    )

    assert erp.calls["reserve_many"] == 3  # WH-LON: 3 + 2; WH-LDS: 2
    assert erp.batched_orders == 7
    assert erp.most_out == 2, "the two lanes' calls were out together"


async def test_one_bad_order_fails_alone() -> None:
    erp = MemoryErp(products={"TEA-001"}, default_stock=Decimal(100))
    batcher = _batcher(erp, window=0.02)

    good, bad = await asyncio.gather(
        _reserve(batcher, ReserveRequest(_order("GOOD"))),
        _reserve(batcher, ReserveRequest(_order("BAD", product="NOPE-001"))),
        return_exceptions=True,
    )

    assert not isinstance(good, BaseException) and good.reference == "GOOD"
    assert isinstance(bad, ErpUnknownCodes)
    assert erp.calls["reserve_many"] == 1


async def test_a_failed_call_fails_each_of_its_reservations_for_them_to_retry() -> None:
    erp = MemoryErp(default_stock=Decimal(100))
    erp.fail("reserve_many", ErpUnavailable("ERP restarting"))
    batcher = _batcher(erp, window=0.02)

    outcomes = await asyncio.gather(
        *(_reserve(batcher, ReserveRequest(_order(f"T{n}"))) for n in range(3)),
        return_exceptions=True,
    )

    assert all(isinstance(outcome, ErpUnavailable) for outcome in outcomes)
    assert erp.stock_of("TEA-001", "WH-LON").available == 100


async def test_the_call_cap_bounds_calls_across_lanes() -> None:
    erp = _CountingConnector()
    batcher = _batcher(erp, calls=2, lanes=6)

    await asyncio.gather(
        *(_reserve(batcher, ReserveRequest(_order(f"T{n}", f"WH-{n}"))) for n in range(6))
    )

    assert erp.most_out == 2


class _Books:
    def __init__(self, fail_first: bool = False) -> None:
        self.calls = 0
        self._fail_first = fail_first

    async def periods_from(self, day: date) -> list[ErpPeriod]:
        self.calls += 1
        await asyncio.sleep(0.01)
        if self._fail_first and self.calls == 1:
            raise ErpUnavailable("down")
        return []


async def test_periods_are_asked_once_per_day_until_they_expire_or_a_close_drops_them() -> None:
    now = [0.0]
    books = _Books()
    cache = CachedPeriods(books, ttl_seconds=30, clock=lambda: now[0])
    day = date(2026, 11, 20)

    await asyncio.gather(*(cache.periods_from(day) for _ in range(10)))
    assert books.calls == 1
    now[0] = 29.0
    await cache.periods_from(day)
    assert books.calls == 1
    now[0] = 31.0
    await cache.periods_from(day)
    assert books.calls == 2
    cache.invalidate()
    await cache.periods_from(day)
    assert books.calls == 3


async def test_a_failed_period_lookup_is_not_kept() -> None:
    books = _Books(fail_first=True)
    cache = CachedPeriods(books, ttl_seconds=30)

    with pytest.raises(ErpUnavailable):
        await cache.periods_from(date(2026, 11, 20))
    assert await cache.periods_from(date(2026, 11, 20)) == []
    assert books.calls == 2


async def test_the_days_posting_issues_the_stock_its_tickets_reserved() -> None:
    erp = MemoryErp(default_stock=Decimal(100))
    await erp.reserve_many([ReserveRequest(_order(f"D{n}")) for n in range(3)])
    assert erp.stock_of("TEA-001", "WH-LON").on_hand == 100, "reserved, not issued yet"
    daily = DailyPostingActivities(None, erp, 1, erp, issue_chunk=2)  # type: ignore[arg-type]
    batch = ConsolidationBatch(
        key="daily-S001-2026-11-20-1",
        store_id="S001",
        business_date=date(2026, 11, 20),
        currency="GBP",
        stock_references=["D0", "D1", "D2"],
        totals=ConsolidatedTotals(ticket_count=3, gross=Decimal(9), net=Decimal(9), tax=Decimal(0)),
    )

    request = BatchPostRequest(batch=batch, posting_date=date(2026, 11, 20))
    await ActivityEnvironment().run(daily.post_batch, request)
    await ActivityEnvironment().run(daily.post_batch, request)

    level = erp.stock_of("TEA-001", "WH-LON")
    assert (level.on_hand, level.available) == (Decimal(97), Decimal(97)), "issued once"
    assert erp.calls["issue_reserved"] == 4
    assert erp.standing_issues() == {"D0": 1, "D1": 1, "D2": 1}


async def test_a_batch_an_earlier_release_prepared_takes_its_tickets_references_from_the_store(
    tmp_path: Path,
) -> None:
    """Such a batch named the tickets booked as sales by their Tryton sale ids, which are
    gone from the contract: the posting reads every ticket's reference from the store, so the
    day's stock is issued and its cost of goods read for all of them."""
    erp = MemoryErp(default_stock=Decimal(100), unit_costs={"TEA-001": Decimal("1.10")})
    await erp.reserve_many([ReserveRequest(_order(f"D{n}")) for n in range(3)])
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    day = date(2026, 11, 20)
    with session_scope(engine) as session:
        for n in range(3):
            session.add(_daily_ticket(f"D{n}", day))
    with session_scope(engine) as session:
        prepared = prepare_batch(session, "S001", day, datetime(2026, 11, 21, tzinfo=UTC))
    assert prepared is not None and prepared.stock_references == ["D0", "D1", "D2"]
    recorded = prepared.model_dump(mode="json", exclude={"stock_references"})
    recorded.update(sale_ids=[101, 102], references=["D2"])  # as 1f3fdba's histories hold it
    daily = DailyPostingActivities(engine, erp, 1, erp, issue_chunk=2)

    refs = await ActivityEnvironment().run(
        daily.post_batch,
        BatchPostRequest(batch=ConsolidationBatch.model_validate(recorded), posting_date=day),
    )

    assert erp.standing_issues() == {"D0": 1, "D1": 1, "D2": 1}
    assert refs.cost_of_goods == Decimal("3.30")
    engine.dispose()


def _daily_ticket(reference: str, day: date) -> JournalEntry:
    return JournalEntry(
        workflow_id=reference,
        transaction_id=reference,
        store_id="S001",
        terminal_id="T1",
        receipt_number=1,
        business_date=day,
        kind="sale",
        status="completed",
        outcome=Outcome.POSTED.value,
        currency="GBP",
        net_total=Decimal(3),
        tax_total=Decimal(0),
        gross_total=Decimal(3),
        erp_reference=reference,
        posting_mode=PostingMode.DAILY.value,
        breakdown=TicketBreakdown(tenders={"cash": Decimal(3)}, booking=OrderBooking()).model_dump(
            mode="json"
        ),
        recorded_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
