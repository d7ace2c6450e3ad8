"""Phases 2 and 4 on the in-memory ERP (connectors/erp/memory): a real tillsync worker in this
process, the store on SQLite (or ``--store-url``), 3-line sales as benchmarks/sale_cost.py.

2. Closed-loop throughput at a fixed number in flight, then open-loop Poisson arrivals at half
   that rate: submit -> reserved (the MemoryErp's own ``reserved_at``, time.monotonic()) and
   submit -> posted (``wait_settled``).
4. A till's offline backlog submitted as fast as bounded concurrency allows: time to drain,
   and, from the MemoryErp's books (not tillsync's journal), tickets lost or posted twice.
"""

import asyncio
import time
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import Client

from benchmarks.throughput.cpu_meter import cpu_spent
from benchmarks.throughput.harness import Driver, phase_settings, tillsync_worker
from benchmarks.throughput.measure import (
    TODAY,
    Bench,
    closed_loop,
    latency_line,
    open_loop,
    percentile,
    ticket,
    warm_up,
)
from connectors.erp.memory import MemoryErp
from domain.periods import PostingMode
from starter.control.daily_posting import run_daily_posting
from store.tables import SyncException

STOCK = Decimal(100_000_000)
"""Every product, every warehouse: a backlog never runs the shelves dry."""


def memory_erp() -> MemoryErp:
    return MemoryErp(default_stock=STOCK)


async def run_memory(bench: Bench, round_: int = 0) -> None:
    """A closed-loop round; after the last, the open loop at half the best round's rate."""
    counts = bench.counts
    last = round_ == counts.rounds - 1
    print(f"\n== 2. tillsync on the in-memory ERP (round {round_ + 1} of {counts.rounds})")
    erp = memory_erp()
    settings = phase_settings(bench, f"memory-{round_ + 1}")
    closed, opened = bench.terminal(f"M{round_ + 1}C"), bench.terminal("MO")
    async with tillsync_worker(bench.env.client, settings, erp, erp) as engine:
        driver = Driver(bench.env.client, engine, settings.task_queue)
        warm = bench.terminal(f"M{round_ + 1}W")
        await warm_up(
            counts.in_flight,
            counts.in_flight,
            lambda number: driver.submit_and_settle(ticket(warm, number + 1)),
        )
        driver.reset()
        with cpu_spent() as cpu:
            elapsed, _ = await closed_loop(
                counts.memory,
                counts.in_flight,
                lambda number: driver.submit_and_settle(ticket(closed, number + 1)),
            )
        rate = driver.posted() / elapsed
        best = bench.best_round("memory_rate", rate, round_)
        print(
            f"  closed loop, {counts.in_flight} in flight: {counts.memory} sales in {elapsed:.1f} s"
            f" = {rate:.1f} sales posted/s (best round {best:.1f})   ({driver.outcome_summary()})"
        )
        print(cpu.per_ticket_line(driver.posted()))
        _print_latencies(driver, erp)
        if naive := bench.figures.get(f"naive_rate_round{round_ + 1}"):
            print(f"  tillsync / the naive baseline's round before it: {rate / naive:.2f}x")
        if not last:
            return

        driver.reset()
        target = best / 2
        arrivals, wall = await open_loop(
            counts.open_loop,
            target,
            bench.rng("open-loop"),
            lambda number: driver.submit_and_settle(ticket(opened, number + 1)),
        )
        print(
            f"  open loop, Poisson arrivals at half the best rate ({target:.1f}/s):"
            f" {counts.open_loop} sales arrived at {counts.open_loop / arrivals:.1f}/s, all"
            f" settled in {wall:.1f} s   ({driver.outcome_summary()})"
        )
        reserved, _ = _print_latencies(driver, erp)
        bench.figures["memory_open_reserved_p99"] = percentile(reserved, 0.99)
        bench.figures["memory_open_posted_p99"] = percentile(
            driver.since_submit(driver.settled_at), 0.99
        )
    calls = sum(erp.calls.values())
    print(
        f"  memory ERP: {calls} calls, {erp.calls['reserve']} reserve,"
        f" {erp.calls['reserve_many']} reserve_many ({erp.batched_orders} orders in them)"
    )


def _print_latencies(driver: Driver, erp: MemoryErp) -> tuple[list[float], list[float]]:
    reserved_at = {
        workflow_id: moment
        for workflow_id in driver.submitted_at
        if (moment := erp.reserved_at(workflow_id)) is not None
    }
    reserved = driver.since_submit(reserved_at)
    posted = driver.since_submit(driver.settled_at)
    print(latency_line("submit -> reserved", reserved))
    print(latency_line("submit -> posted", posted))
    return reserved, posted


async def run_backlog(bench: Bench) -> None:
    count, in_flight = bench.counts.backlog, bench.counts.backlog_in_flight
    print(f"\n== 4. Backlog: {count} tickets of an offline till, {in_flight} submits in flight")
    erp = memory_erp()
    settings = phase_settings(bench, "backlog")
    terminal = bench.terminal("BL")
    tickets = [ticket(terminal, number + 1) for number in range(count)]
    async with tillsync_worker(bench.env.client, settings, erp, erp) as engine:
        driver = Driver(bench.env.client, engine, settings.task_queue)
        gate = asyncio.Semaphore(in_flight)
        started = time.monotonic()

        async def submit(number: int) -> None:
            async with gate:
                await driver.submit(tickets[number])

        await asyncio.gather(*(submit(number) for number in range(count)))
        submitted = time.monotonic() - started
        print(f"  submitted in {submitted:.1f} s ({count / submitted:.1f}/s)")
        deadline = bench.counts.backlog_deadline
        drained = await _drain(bench.env.client, terminal, started, deadline)
        elapsed = (drained or time.monotonic()) - started
        running = set() if drained is not None else await _running(bench.env.client, terminal)
        open_exceptions = await asyncio.to_thread(_open_exceptions, engine, terminal)
        posting = ""
        if settings.erp_posting_mode is not PostingMode.PER_TRANSACTION:
            # Daily mode: the day's posting issues the reserved stock with the money.
            posting_started = time.monotonic()
            await run_daily_posting(bench.env.client, settings.task_queue, "S001", through=TODAY)
            posting_took = time.monotonic() - posting_started
            elapsed += posting_took
            posting = f", then the day's posting in {posting_took:.1f} s"

    per_ticket = settings.erp_posting_mode is PostingMode.PER_TRANSACTION
    standing = erp.standing_postings() if per_ticket else erp.standing_issues()
    ids = [txn.workflow_id for txn in tickets]
    posted = sum(1 for workflow_id in ids if standing[workflow_id] > 0)
    lost = sum(
        1
        for workflow_id in ids
        if standing[workflow_id] == 0
        and workflow_id not in open_exceptions
        and workflow_id not in running
    )
    twice = len(set(erp.posted_twice()) & set(ids))
    last = max((order.history[-1][0] for order in erp.orders()), default=started)
    if drained is not None:
        state = f"drained: all settled and booked {elapsed:.1f} s after the first submit{posting}"
    else:
        state = f"NOT drained within {deadline:.0f} s: {len(running)} still running"
    print(
        f"  {state} ({posted / elapsed:.1f} tickets/s posted);"
        f" the ERP's last change at {last - started:.1f} s"
    )
    print(
        f"  from the MemoryErp's books: {posted} posted, {len(open_exceptions)} with an open"
        f" exception, lost {lost}, posted twice {twice}"
        + ("" if drained is not None else " (lost: of the tickets no longer running)")
    )
    bench.figures["backlog_count"] = float(count)
    bench.figures["backlog_seconds"] = elapsed if drained is not None else float("inf")
    bench.figures["backlog_lost"] = float(lost)
    bench.figures["backlog_twice"] = float(twice)


def _unsettled_query(terminal: str) -> str:
    return (
        f"WorkflowType = 'PosTransaction' AND TerminalId = '{terminal}'"
        " AND ExecutionStatus = 'Running' AND SyncStage != 'parked'"
    )


async def _running(client: Client, terminal: str) -> set[str]:
    return {run.id async for run in client.list_workflows(_unsettled_query(terminal))}


async def _drain(client: Client, terminal: str, started: float, deadline: float) -> float | None:
    """When no run of the terminal was left running unless parked (Temporal's visibility, seen
    twice in a row: it lags the runs a little); None if not within ``deadline`` seconds."""
    query = _unsettled_query(terminal)
    first_zero: float | None = None
    while time.monotonic() - started < deadline:
        polled = time.monotonic()
        if (await client.count_workflows(query)).count > 0:
            first_zero = None
        elif first_zero is None:
            first_zero = polled
        else:
            return first_zero
        await asyncio.sleep(0.5)
    return None


def _open_exceptions(engine: Engine, terminal: str) -> set[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(SyncException.workflow_id).where(
                SyncException.terminal_id == terminal, SyncException.state == "open"
            )
        ).all()
        return {row for row in rows if row}
