"""Shared measuring: the run's context, tickets, percentiles, closed- and open-loop drivers."""

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio.testing import WorkflowEnvironment

from domain.ids import workflow_of_reference
from domain.transaction import PosTransaction
from tests.factories import make_sale, sale_line

BASKET = [("100001", "2", "3.60"), ("100002", "1", "9.00"), ("100003", "3", "2.40")]
"""The 3-line sale of benchmarks/sale_cost.py: tea, a mug, biscuits (all mapped in the demo)."""
UNMAPPED_SKU = "999999"
TODAY = datetime.now(UTC).date()


@dataclass
class Counts:
    """How many workflows or tickets each phase runs (``--quick`` scales them down)."""

    in_flight: int = 64
    rounds: int = 2
    """Closed-loop rounds of the naive baseline and the in-memory phase, alternating: each
    figure is its best round (a neighbour's load on this shared box only ever slows a round)."""
    naive: int = 500
    memory: int = 500
    open_loop: int = 250
    tryton: int = 300
    tryton_in_flight: int = 8
    tryton_open_loop: int = 200
    """Tickets arriving at the target rate after the closed loop (20 s at 10/s)."""
    tryton_daily_in_flight: int = 32
    """Daily mode batches a store's tickets: its throughput needs tickets arriving together."""
    tryton_processes: int = 3
    tryton_budget: float = 45.0
    """Seconds after which a Tryton phase starts no more tickets (a slow ERP ends it early)."""
    backlog: int = 10_000
    backlog_in_flight: int = 64
    parked: int = 1000
    backlog_deadline: float = 900.0
    """Seconds the backlog may take to drain before it is reported as not drained."""

    @classmethod
    def quick(cls) -> "Counts":
        return cls(
            rounds=1,
            naive=300,
            memory=200,
            open_loop=80,
            tryton=24,
            tryton_open_loop=40,
            tryton_in_flight=4,
            tryton_daily_in_flight=16,
            backlog=400,
            parked=150,
            tryton_budget=30.0,
            backlog_deadline=150.0,
        )


@dataclass
class Bench:
    """One run: the Temporal dev server every phase shares, a scratch folder, the options."""

    env: WorkflowEnvironment
    folder: Path
    counts: Counts
    seed: int
    quick: bool
    store_url: str = ""
    sandbox: bool = False
    run_tag: str = field(default_factory=lambda: f"{int(time.time() * 10) % 0xFFFFF:05X}")
    figures: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def terminal(self, tag: str) -> str:
        """A terminal id of its own per phase and run, so no two share a workflow id (nor a
        claim in a store kept between runs)."""
        return f"{tag}{self.run_tag}"

    def rng(self, phase: str) -> random.Random:
        return random.Random(f"{self.seed}-{phase}")

    def best_round(self, figure: str, rate: float, round_: int) -> float:
        """Note this round's ``rate`` (``<figure>_round<n>``) and keep the best in ``figure``."""
        self.figures[f"{figure}_round{round_ + 1}"] = rate
        self.figures[figure] = max(rate, self.figures.get(figure, 0.0))
        return self.figures[figure]

    def rounds_of(self, figure: str) -> list[float]:
        return [
            self.figures[name]
            for round_ in range(self.counts.rounds)
            if (name := f"{figure}_round{round_ + 1}") in self.figures
        ]


def ticket(
    terminal: str, number: int, *, sku: str | None = None, store: str = "S001"
) -> PosTransaction:
    """The 3-line sale; ``sku`` replaces the first line's SKU (an unmapped one parks)."""
    lines = [
        sale_line(index, sku if sku and index == 1 else code, quantity, price)
        for index, (code, quantity, price) in enumerate(BASKET, start=1)
    ]
    return make_sale(
        f"{terminal}-{number:06d}",
        lines,
        store_id=store,
        terminal_id=terminal,
        receipt_number=number,
        business_date=TODAY,
    )


def workflow_of(reference: str) -> str:
    """The workflow id an ERP reference belongs to (``<workflow id>~N`` for a retry)."""
    return workflow_of_reference(reference)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def latency_line(label: str, seconds: Sequence[float]) -> str:
    millis = [value * 1000 for value in seconds]
    return (
        f"  {label:<26} p50 {percentile(millis, 0.5):8.1f} ms   p99 {percentile(millis, 0.99):8.1f}"
        f" ms   max {max(millis, default=math.nan):8.1f} ms   (n={len(millis)})"
    )


async def closed_loop(
    count: int,
    in_flight: int,
    one: Callable[[int], Awaitable[None]],
    budget: float | None = None,
) -> tuple[float, int]:
    """Run ``one(0)`` .. ``one(count - 1)``, ``in_flight`` at a time, each lane starting its next
    as soon as its last one finished; none starts after ``budget`` seconds. Returns the wall
    seconds and how many started."""
    numbers = iter(range(count))
    started_count = 0
    started = time.monotonic()

    async def lane() -> None:
        nonlocal started_count
        for number in numbers:
            if budget is not None and time.monotonic() - started > budget:
                return
            started_count += 1
            await one(number)

    await asyncio.gather(*(lane() for _ in range(max(1, min(in_flight, count)))))
    return time.monotonic() - started, started_count


async def open_loop(
    count: int,
    rate: float,
    rng: random.Random,
    one: Callable[[int], Coroutine[Any, Any, None]],
) -> tuple[float, float]:
    """Start ``one(n)`` at Poisson arrivals of ``rate`` per second, whether or not the earlier
    ones finished. Returns the seconds the arrivals took and the wall seconds until all ended."""
    started = time.monotonic()
    due = started
    tasks: list[asyncio.Task[None]] = []
    for number in range(count):
        due += rng.expovariate(rate)
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(number)))
    arrivals = time.monotonic() - started
    await asyncio.gather(*tasks)
    return arrivals, time.monotonic() - started


async def warm_up(count: int, in_flight: int, one: Callable[[int], Awaitable[None]]) -> None:
    """A few runs before measuring (imports, caches, connections), not counted."""
    await closed_loop(count, in_flight, one)
