"""What one sale costs: ERP calls and time per saga step, and end-to-end latency and throughput.

Starts its own embedded stack in a temporary folder (a copy of the cached sandbox ERP template,
the Temporal dev server on free ports, an in-process worker) and prints figures:

    .venv/bin/python -m benchmarks.sale_cost [--sales 30] [--concurrency 8]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from temporalio.testing import WorkflowEnvironment

from benchmarks.codec import bench_data_converter
from connectors.erp.tryton import TrytonConnector
from connectors.erp.tryton_sandbox import TrytonServer, copy_database, ensure_template
from domain.mapping import LineMapping, TransactionMapping
from domain.order_plan import plan_erp_order
from domain.outcomes import Outcome
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.devstack.temporal_server import temporal_binary
from starter.intake.submission import Submitter, wait_settled
from tests.factories import make_sale, sale_line
from tests.sample_data import example_store
from worker import run_worker
from workflows import search_attributes

REPOSITORY = Path(__file__).resolve().parents[1]
BASKET = [("100001", "TEA-001", "2", "3.60"), ("100002", "MUG-001", "1", "9.00")]
BASKET += [("100003", "BISC-001", "3", "2.40")]
ResultT = TypeVar("ResultT")
TODAY = datetime.now(UTC).date()


def _ticket(number: int, prefix: str) -> PosTransaction:
    return make_sale(
        f"{prefix}-{number:05d}",
        [
            sale_line(index, sku, quantity, price)
            for index, (sku, _, quantity, price) in enumerate(BASKET, start=1)
        ],
        receipt_number=number,
        business_date=TODAY,
    )


def _summary(label: str, values: list[float], unit: str) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return (
        f"{label:<22} mean {statistics.fmean(values):8.1f} {unit}   "
        f"p50 {statistics.median(values):8.1f}   p95 {p95:8.1f}   (n={len(values)})"
    )


async def per_step_costs(connector: TrytonConnector, sales: int) -> None:
    """The connector alone: HTTP requests and milliseconds for reserve, post, pay (the ticket's
    card tender, reconciled with the invoice) and commit."""
    mapping = TransactionMapping(
        warehouse_code="WH-LON",
        lines=[
            LineMapping(line_number=index, product_code=code)
            for index, (_, code, _, _) in enumerate(BASKET, start=1)
        ],
        tax_codes={"UK-STD": "VAT20"},
    )
    costs: dict[str, tuple[list[float], list[float]]] = {
        step: ([], []) for step in ("reserve", "post", "pay", "commit")
    }

    async def measure(step: str, call: Awaitable[ResultT]) -> ResultT:
        requests, started = connector.requests_sent, time.perf_counter()
        result = await call
        costs[step][0].append(float(connector.requests_sent - requests))
        costs[step][1].append((time.perf_counter() - started) * 1000)
        return result

    for number in range(sales):
        txn = _ticket(number, "BENCH-STEP")
        order = plan_erp_order(txn, mapping, txn.workflow_id)
        await measure("reserve", connector.reserve(order))
        await measure("post", connector.post(order.reference, TODAY))
        await measure("pay", connector.pay(order.reference, order.payments))
        await measure("commit", connector.commit(order.reference))
    print(f"\nPer saga step, connector only, {sales} sales of {len(BASKET)} lines:")
    for step, (requests, millis) in costs.items():
        print(_summary(f"{step} HTTP requests", requests, "req"))
        print(_summary(f"{step} time", millis, "ms "))
    total = [sum(values) for values in zip(*(costs[s][1] for s in costs), strict=True)]
    print(_summary("one sale, all steps", total, "ms "))
    requests = [sum(values) for values in zip(*(costs[s][0] for s in costs), strict=True)]
    print(_summary("one sale, requests", requests, "req"))


async def end_to_end(settings: Settings, env: WorkflowEnvironment, sales: int, limit: int) -> None:
    """Submit tickets through Temporal and wait until each is posted."""
    engine = example_store(settings.resolved_store_url)
    submitter = Submitter(env.client, engine, settings.task_queue)
    gate = asyncio.Semaphore(limit)
    latencies: list[float] = []

    async def one(number: int) -> None:
        txn = _ticket(number, "BENCH-E2E")
        async with gate:
            started = time.perf_counter()
            await submitter.submit(txn)
            result = await wait_settled(env.client, txn.workflow_id)
            latencies.append((time.perf_counter() - started) * 1000)
        assert result.outcome is Outcome.POSTED, result

    started = time.perf_counter()
    await asyncio.gather(*(one(number) for number in range(sales)))
    elapsed = time.perf_counter() - started
    print(f"\nEnd to end through Temporal, {sales} sales, {limit} in flight at a time:")
    print(_summary("submit -> posted", latencies, "ms "))
    print(f"{'throughput':<22} {sales / elapsed:8.2f} sales/s   wall {elapsed:.1f} s")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sales", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tillsync-bench-") as folder:
        data_dir = Path(folder)
        template = ensure_template(REPOSITORY / ".data" / "cache" / "erp-template")
        database = copy_database(template, data_dir / "erp", "bench")
        async with TrytonServer(database) as erp:
            connector = TrytonConnector(erp.info.client())
            await per_step_costs(connector, args.sales)
            await connector.aclose()
            env = await WorkflowEnvironment.start_local(
                dev_server_existing_path=temporal_binary(),
                search_attributes=search_attributes.ALL,
                data_converter=bench_data_converter(),
                dev_server_log_level="error",
            )
            settings = Settings(
                data_dir=data_dir,
                task_queue="bench",
                erp_url=erp.url,
                erp_database=erp.database,
                erp_api_key=erp.api_key,
                erp_company_id=erp.company_id,
                erp_rpc_login=erp.info.rpc_login,
                erp_rpc_password=erp.info.rpc_password,
            )
            stop = asyncio.Event()
            worker = asyncio.create_task(run_worker(settings, env.client, stop))
            try:
                await end_to_end(settings, env, args.sales, args.concurrency)
            finally:
                stop.set()
                await worker
                await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
