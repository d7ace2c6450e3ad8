"""The memory ERP's periods, daily postings and the faults a test scripts: closing a period
refuses postings into it, a daily posting books once by its key, and faults strike as
scripted."""

import asyncio
import time
from datetime import date
from decimal import Decimal

import pytest

from connectors.erp.errors import (
    ErpRejected,
    ErpUnavailable,
)
from connectors.erp.memory import MemoryErp
from domain.breakdown import OrderBooking, TicketBreakdown
from domain.consolidation import (
    ConsolidationBatch,
    ConsolidationTicket,
    batch_key,
    consolidate,
)
from tests.factories import BUSINESS_DATE
from tests.memory_erp.orders import LONDON, PRODUCTS, tea_sale


async def test_periods_are_monthly_open_until_closed_and_close_the_books(erp: MemoryErp) -> None:
    periods = await erp.periods_from(date(2026, 11, 20))
    november = periods[0]
    assert (november.erp_id, november.name, november.start_date, november.end_date) == (
        "202611",
        "2026-11",
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    assert len(periods) == 24 and all(period.is_open for period in periods)
    assert periods[1].start_date == date(2026, 12, 1) and periods[2].name == "2027-01"

    closed = await erp.close_period(november.erp_id)
    await erp.reserve(tea_sale("pos-l"))
    with pytest.raises(ErpRejected, match="2026-11"):
        await erp.post("pos-l", BUSINESS_DATE)
    assert not closed.is_open and not erp.period(BUSINESS_DATE).is_open
    assert (await erp.reopen_period(november.erp_id)).is_open
    assert (await erp.post("pos-l", BUSINESS_DATE)).refs.invoice_id is not None
    with pytest.raises(ErpRejected):
        await erp.close_period("202613")


async def test_a_daily_posting_is_booked_once_by_its_key() -> None:
    erp = MemoryErp(unit_costs={"TEA-001": Decimal("1.10")})
    await erp.reserve(tea_sale("pos-m"))
    await erp.commit("pos-m")
    ticket = ConsolidationTicket(
        workflow_id="pos-m",
        net=Decimal("6.00"),
        tax=Decimal("1.20"),
        gross=Decimal("7.20"),
        breakdown=TicketBreakdown(
            tax_by_rate={"20%": Decimal("1.20")},
            tenders={"card": Decimal("7.20")},
            booking=OrderBooking(),
        ),
    )
    batch = ConsolidationBatch(
        key=batch_key("S001", BUSINESS_DATE, 1),
        store_id="S001",
        business_date=BUSINESS_DATE,
        currency="GBP",
        stock_references=["pos-m"],
        totals=consolidate([ticket]),
    )

    first = await erp.post_consolidated(batch, BUSINESS_DATE)
    second = await erp.post_consolidated(batch, date(2026, 12, 1))
    [move] = await erp.consolidated_moves([first.move_id, first.move_id, "999"])

    assert first == second and first.cost_of_goods == Decimal("2.20")
    assert move.figures.gross == Decimal("7.20")
    assert move.figures.tenders == {"card": Decimal("7.20")}
    assert move.posting_date == BUSINESS_DATE


async def test_scripted_faults_strike_before_or_after_the_effect() -> None:
    erp = MemoryErp()
    erp.fail("post", ErpRejected("books locked"), times=2, reference="pos-n")
    erp.fail("commit", after_effect=True, reference="pos-n")
    await erp.reserve(tea_sale("pos-n"))
    for _ in range(2):
        with pytest.raises(ErpRejected, match="books locked"):
            await erp.post("pos-n", BUSINESS_DATE)
    assert erp.effects("pos-n")["posted"] == 0, "a fault before the effect changes nothing"
    await erp.post("pos-n", BUSINESS_DATE)

    with pytest.raises(ErpUnavailable):
        await erp.commit("pos-n")
    assert erp.effects("pos-n")["committed"] == 1, "it took effect, then the caller lost it"
    await erp.commit("pos-n")
    assert erp.effects("pos-n")["committed"] == 1 and erp.pending_faults == []


async def test_a_fault_for_a_workflow_id_strikes_its_attempts_until_cleared() -> None:
    erp = MemoryErp()
    erp.fail("reserve", ErpRejected("no"), times=None, reference="pos-o")
    for reference in ("pos-o", "pos-o~2", "pos-o~3"):
        with pytest.raises(ErpRejected):
            await erp.reserve(tea_sale(reference))
    await erp.reserve(tea_sale("pos-other"))
    erp.clear_faults("reserve")
    await erp.reserve(tea_sale("pos-o~4"))
    with pytest.raises(ValueError, match="no ERP step"):
        erp.fail("posting")


async def test_latency_and_seeded_transient_failures() -> None:
    slow = MemoryErp(latency=0.05)
    started = time.monotonic()
    await asyncio.gather(*(slow.ping() for _ in range(20)))
    assert 0.05 <= time.monotonic() - started < 0.5, "calls wait side by side"

    async def failures(seed: int) -> list[bool]:
        flaky = MemoryErp(transient_failure_rate=0.5, seed=seed)
        outcomes = []
        for _ in range(40):
            try:
                await flaky.ping()
                outcomes.append(False)
            except ErpUnavailable:
                outcomes.append(True)
        return outcomes

    first, again = await failures(7), await failures(7)
    assert first == again and 5 < sum(first) < 35


async def test_concurrent_calls_on_one_loop_take_effect_once() -> None:
    erp = MemoryErp(warehouses={LONDON}, products=PRODUCTS, latency=0.001, jitter=0.005)
    same = [erp.reserve(tea_sale("pos-p", "1")) for _ in range(30)]
    different = [erp.reserve(tea_sale(f"pos-q{n}", "1")) for n in range(70)]
    refs = await asyncio.gather(*same, *different)
    await asyncio.gather(*(erp.post(f"pos-q{n}", BUSINESS_DATE) for n in range(70) for _ in "ab"))

    assert len({ref.sale_id for ref in refs[:30]}) == 1
    assert erp.stock_of("TEA-001", LONDON).available == -71
    assert erp.effects("pos-p") == {"reserved": 1}
    assert erp.posted_twice() == [] and sum(erp.standing_postings().values()) == 70
