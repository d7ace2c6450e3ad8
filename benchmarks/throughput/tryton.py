"""Phase 3, tillsync on the sandbox Tryton: sustained tickets/s over a fixed count at a fixed
concurrency, submit -> reserved, and ERP requests and milliseconds per ticket on the hot path
(check_codes, reserve, reserve_many) and in total (every HTTP request to the ERP). Then tickets
arrive (Poisson) at the target rate, 10/s, whether or not earlier ones finished: their submit ->
reserved is the pending-sale window a chain sees at that rate (a closed loop's latency is only
its concurrency over its rate, Little's law).

Two ERPs: one gunicorn process answering one request at a time on a copy of the cached SQLite
template (as benchmarks/sale_cost.py runs it), and, where this checkout has it, trytond on a
PostgreSQL copy served by several gunicorn processes with trytond-worker running the queue.
"""

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from benchmarks.throughput.cpu_meter import cpu_spent
from benchmarks.throughput.erp_meter import HttpMeter, MeteredConnector, http_meter
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
    workflow_of,
)
from benchmarks.throughput.targets import TRYTON_RATE
from benchmarks.throughput.tryton_stock import stock_up
from connectors.erp.factory import create_books
from connectors.erp.tryton import TrytonConnector
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton_sandbox import TrytonServer, copy_database, ensure_template
from domain.periods import PostingMode
from domain.transaction import PosTransaction
from starter.control.daily_posting import run_daily_posting

REPOSITORY = Path(__file__).resolve().parents[2]
TEMPLATE_CACHE = REPOSITORY / ".data" / "cache" / "erp-template"
WARM_UP = 4
CHAIN = ("S001", "S002")
"""The demo's two GBP stores (two warehouses): a chain's tickets come from many stores at once,
and a store's tickets batch together, so the phase rings at both in turn."""


def chain_ticket(terminal: str, number: int) -> PosTransaction:
    return ticket(terminal, number, store=CHAIN[number % len(CHAIN)])


class Skipped(Exception):
    """This variant cannot run here (the reason is printed)."""


@asynccontextmanager
async def sqlite_erp(folder: Path) -> AsyncIterator[TrytonServer]:
    template = await asyncio.to_thread(ensure_template, TEMPLATE_CACHE)
    database = copy_database(template, folder / "erp-sqlite", "bench")
    async with TrytonServer(database) as server:
        yield server


@asynccontextmanager
async def _postgres_erp(folder: Path, processes: int) -> AsyncIterator[TrytonServer]:
    try:
        from connectors.erp.tryton_sandbox import (  # type: ignore[attr-defined,unused-ignore]
            ensure_postgres_template,
            postgres_sandbox,
        )
    except ImportError as error:
        raise Skipped(f"this checkout has no PostgreSQL sandbox ({error})") from error
    try:
        await asyncio.to_thread(ensure_postgres_template)
    except Exception as error:
        raise Skipped(f"no PostgreSQL template: {type(error).__name__}: {error}") from error
    options: dict[str, Any] = {"processes": processes, "queue_worker": True}
    with postgres_sandbox(folder / "erp-postgres", "bench") as database:
        async with TrytonServer(database, **options) as server:
            yield server


async def _daily_posting(bench: Bench, task_queue: str) -> str:
    """The financial side of the day's tickets, as daily mode books it: an ERP entry a store."""
    started = time.monotonic()
    batches = []
    for store in CHAIN:
        result = await run_daily_posting(bench.env.client, task_queue, store, through=TODAY)
        batches += result.batches
    elapsed = time.monotonic() - started
    tickets = sum(batch.ticket_count for batch in batches)
    return (
        f"  daily posting: {tickets} tickets in {len(batches)} ERP entries,"
        f" {elapsed:.1f} s ({elapsed * 1000 / max(tickets, 1):.1f} ms a ticket)"
    )


async def run_tryton(bench: Bench, variant: str) -> None:
    """``variant``: sqlite or postgres, with ``-daily`` for the daily (consolidated) posting
    mode, per-ticket documents without it."""
    processes = bench.counts.tryton_processes
    backend, _, daily = variant.partition("-")
    mode = PostingMode.DAILY if daily else PostingMode.PER_TRANSACTION
    title = {
        "sqlite": "SQLite, one gunicorn process answering one request at a time",
        "postgres": f"PostgreSQL, {processes} gunicorn processes + trytond-worker",
    }[backend]
    print(
        f"\n== 3. tillsync on the sandbox Tryton ({title}; posting mode {mode.value};"
        f" tickets rung at {', '.join(CHAIN)} in turn)"
    )
    try:
        if backend == "sqlite":
            async with sqlite_erp(bench.folder) as server:
                await _measure(bench, server, variant, mode)
        else:
            async with _postgres_erp(bench.folder, processes) as server:
                await _measure(bench, server, variant, mode)
    except Skipped as reason:
        print(f"  skipped: {reason}")
        bench.notes[f"tryton_{variant}"] = f"skipped: {reason}"


def _advised_lanes(variant: str, processes: int) -> dict[str, int]:
    """The reservation lanes docs/scaling.md advises, unless TILLSYNC_ERP_BATCH_LANES says:
    one for the SQLite sandbox's one process, the processes less one on PostgreSQL."""
    if "TILLSYNC_ERP_BATCH_LANES" in os.environ:
        return {}
    return {"erp_batch_lanes": 1 if variant.startswith("sqlite") else max(processes - 1, 1)}


async def _measure(bench: Bench, server: TrytonServer, variant: str, mode: PostingMode) -> None:
    count = bench.counts.tryton
    in_flight = (
        bench.counts.tryton_daily_in_flight
        if mode is PostingMode.DAILY
        else bench.counts.tryton_in_flight
    )
    info = server.info
    settings = phase_settings(
        bench,
        f"tryton-{variant}",
        erp_url=info.url,
        erp_database=info.database,
        erp_api_key=info.api_key,
        erp_company_id=info.company_id,
        erp_rpc_login=info.rpc_login,
        erp_rpc_password=info.rpc_password,
        erp_posting_mode=mode,
        **_advised_lanes(variant, bench.counts.tryton_processes),
    )
    print(f"  reservations batched in {settings.erp_batch_lanes} lane(s)")
    connector = MeteredConnector(
        TrytonConnector(info.client(settings.erp_timeout_seconds), posting_mode=mode)
    )
    rpc = TrytonRpc(info.url, info.database, info.rpc_login, info.rpc_password)
    try:
        await stock_up(rpc, TODAY)
    finally:
        await rpc.aclose()
    books = create_books(settings)
    tag = ("TS" if variant.startswith("sqlite") else "TP") + ("D" if "daily" in variant else "")
    terminal, warm_terminal = bench.terminal(tag), bench.terminal(f"{tag}W")
    try:
        with http_meter() as meter:
            async with tillsync_worker(bench.env.client, settings, connector, books) as engine:
                driver = Driver(bench.env.client, engine, settings.task_queue)
                await warm_up(
                    WARM_UP,
                    WARM_UP,
                    lambda number: driver.submit_and_settle(
                        chain_ticket(warm_terminal, number + 1)
                    ),
                )
                driver.reset()
                meter.reset()
                connector.reset()
                with cpu_spent() as cpu:
                    elapsed, started = await closed_loop(
                        count,
                        in_flight,
                        lambda number: driver.submit_and_settle(chain_ticket(terminal, number + 1)),
                        budget=bench.counts.tryton_budget,
                    )
                lines = _closed_loop_report(bench, driver, connector, meter, elapsed, started)
                print(*lines, cpu.per_ticket_line(driver.posted()), sep="\n")
                rate = driver.posted() / elapsed
                await _at_target_rate(bench, variant, driver, connector, bench.terminal(f"{tag}O"))
                if mode is PostingMode.DAILY:
                    print(await _daily_posting(bench, settings.task_queue))
    finally:
        await connector.aclose()
        await books.aclose()
    bench.figures[f"tryton_{variant}_rate"] = rate


def _reserved_since_submit(driver: Driver, connector: MeteredConnector) -> list[float]:
    return [
        moment - driver.submitted_at[workflow_of(reference)]
        for reference, moment in connector.reserved_at.items()
        if workflow_of(reference) in driver.submitted_at
    ]


def _closed_loop_report(
    bench: Bench,
    driver: Driver,
    connector: MeteredConnector,
    meter: HttpMeter,
    elapsed: float,
    started: int,
) -> list[str]:
    count = bench.counts.tryton
    per_ticket = max(driver.posted(), 1)
    cut = (
        f" (the {bench.counts.tryton_budget:.0f} s budget ran out: {started} of {count} started)"
        if started < count
        else ""
    )
    return [
        f"  closed loop, {started} tickets{cut}: {driver.outcome_summary()}",
        f"  sustained: {driver.posted() / elapsed:.2f} tickets/s posted   (wall {elapsed:.1f} s)",
        latency_line("submit -> reserved", _reserved_since_submit(driver, connector)),
        latency_line("submit -> posted", driver.since_submit(driver.settled_at)),
        f"  ERP per ticket, hot path:  {meter.hot.requests / per_ticket:6.1f} requests"
        f"  {meter.hot.seconds * 1000 / per_ticket:8.1f} ms"
        f"   ({connector.reserve_orders} reservations in {connector.reserve_calls} reserve calls)",
        f"  ERP per ticket, in total:  {meter.total.requests / per_ticket:6.1f} requests"
        f"  {meter.total.seconds * 1000 / per_ticket:8.1f} ms"
        "   (milliseconds: summed over requests, which overlap)",
    ]


async def _at_target_rate(
    bench: Bench, variant: str, driver: Driver, connector: MeteredConnector, terminal: str
) -> None:
    """Poisson arrivals at the target rate: the window a chain ringing that fast sees."""
    count = bench.counts.tryton_open_loop
    driver.reset()
    arrivals, wall = await open_loop(
        count,
        TRYTON_RATE,
        bench.rng(f"tryton-{variant}"),
        lambda number: driver.submit_and_settle(chain_ticket(terminal, number + 1)),
    )
    reserved = _reserved_since_submit(driver, connector)
    print(
        f"  open loop, Poisson arrivals at {TRYTON_RATE:g}/s: {count} tickets arrived at"
        f" {count / arrivals:.1f}/s, all settled {wall - arrivals:.1f} s after the last"
        f"   ({driver.outcome_summary()})"
    )
    print(latency_line("submit -> reserved", reserved))
    print(latency_line("submit -> posted", driver.since_submit(driver.settled_at)))
    bench.figures[f"tryton_{variant}_reserved_p99"] = percentile(reserved, 0.99)
