"""How fast the POS ingest acknowledges: requests per second and latency for N transactions.

Starts the Temporal dev server on free ports and serves the ingest with uvicorn on a free port
(a store on SQLite in a temporary folder; no worker: the ingest's job ends when Temporal has
accepted the start). Then posts N signed transactions over HTTP with C in flight, posts them
all again (duplicates), and posts them in batches; prints the figures:

    .venv/bin/python -m benchmarks.ingest [--transactions 500] [--concurrency 16] [--batch 100]
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import httpx
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from benchmarks.codec import bench_data_converter
from connectors.erp.tryton_sandbox.subprocesses import free_port
from domain.settings import Settings
from starter.devstack.temporal_server import temporal_binary
from starter.ingest.auth import SIGNATURE_HEADER, STORE_HEADER, TIMESTAMP_HEADER, signature
from starter.ingest.server import serve_ingest
from tests.factories import make_sale, sale_line
from workflows import search_attributes

STORE = "S001"
SECRET = SecretStr("benchmark-secret")


def _headers(path: str, body: bytes) -> dict[str, str]:
    sent_at = str(int(time.time()))
    return {
        STORE_HEADER: STORE,
        TIMESTAMP_HEADER: sent_at,
        SIGNATURE_HEADER: signature(SECRET, "POST", path, sent_at, body),
        "Content-Type": "application/json",
    }


def _bodies(count: int) -> list[bytes]:
    terminal = f"B{uuid.uuid4().hex[:6]}"
    return [
        make_sale(
            f"{terminal}-{number}",
            [sale_line(1, "100001", "2", "3.60"), sale_line(2, "100002", "1", "9.00")],
            terminal_id=terminal,
            receipt_number=number,
        )
        .model_dump_json()
        .encode()
        for number in range(1, count + 1)
    ]


async def _post_all(
    http: httpx.AsyncClient, path: str, bodies: Sequence[bytes], concurrency: int
) -> tuple[float, list[float], Counter[int]]:
    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()

    async def one(body: bytes) -> None:
        async with limit:
            began = time.perf_counter()
            response = await http.post(path, content=body, headers=_headers(path, body))
            latencies.append(time.perf_counter() - began)
            statuses[response.status_code] += 1

    began = time.perf_counter()
    await asyncio.gather(*(one(body) for body in bodies))
    return time.perf_counter() - began, latencies, statuses


def _report(
    label: str, items: int, elapsed: float, latencies: list[float], statuses: Counter[int]
) -> None:
    ordered = sorted(latencies)

    def pct(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    print(
        f"{label:<22} {items:>6} txn  {elapsed:7.2f} s  {items / elapsed:8.1f} txn/s"
        f"  {len(latencies) / elapsed:7.1f} req/s  latency ms p50 {pct(0.50):6.1f}"
        f" p95 {pct(0.95):6.1f} p99 {pct(0.99):6.1f} max {ordered[-1] * 1000:6.1f}"
        f"  mean {statistics.fmean(latencies) * 1000:6.1f}  statuses {dict(statuses)}"
    )


async def _until_serving(http: httpx.AsyncClient, seconds: float = 30) -> None:
    for _ in range(int(seconds * 10)):
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the ingest did not come up")


async def main(transactions: int, concurrency: int, batch: int) -> None:
    with tempfile.TemporaryDirectory(prefix="tillsync-bench-ingest-") as folder:
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_binary(),
            search_attributes=search_attributes.ALL,
            data_converter=bench_data_converter(),
            dev_server_log_level="error",
        )
        port = free_port()
        settings = Settings(
            data_dir=Path(folder),
            task_queue="bench-ingest",
            store_secrets=SecretStr(json.dumps({STORE: SECRET.get_secret_value()})),
            ingest_port=port,
            ingest_requests_per_second=1_000_000,
            ingest_burst=1_000_000,
            ingest_max_batch=max(batch, 1),
            ingest_max_body_bytes=64 * 1024 * 1024,
        )
        stop = asyncio.Event()
        server = asyncio.create_task(serve_ingest(settings, env.client, stop))
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}",
                timeout=60,
                limits=httpx.Limits(max_connections=concurrency),
            ) as http:
                await _until_serving(http)
                print(f"ingest on :{port}, {transactions} transactions, {concurrency} in flight")
                bodies = _bodies(transactions)
                elapsed, latencies, statuses = await _post_all(
                    http, "/v1/transactions", bodies, concurrency
                )
                _report("new (202)", transactions, elapsed, latencies, statuses)
                elapsed, latencies, statuses = await _post_all(
                    http, "/v1/transactions", bodies, concurrency
                )
                _report("duplicates (200)", transactions, elapsed, latencies, statuses)
                fresh = _bodies(transactions)
                batches = [
                    b"[" + b",".join(fresh[start : start + batch]) + b"]"
                    for start in range(0, len(fresh), batch)
                ]
                elapsed, latencies, statuses = await _post_all(
                    http, "/v1/transactions:batch", batches, max(1, concurrency // 4)
                )
                _report(f"batches of {batch} (202)", transactions, elapsed, latencies, statuses)
        finally:
            stop.set()
            await server
            await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batch", type=int, default=100)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.transactions, arguments.concurrency, arguments.batch))
