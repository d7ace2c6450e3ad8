"""Phase 5: the resident memory of a worker process holding parked runs.

The worker runs in a process of its own (benchmarks/throughput/rss_worker.py: build_worker
with a MemoryErp), on the run's Temporal dev server and a store of its own. Tickets whose first
SKU is mapped nowhere park as ``unmapped_sku`` and wait for an operator; once all are parked,
VmRSS (and the peak, VmHWM) is read from /proc/<pid>/status.
"""

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from temporalio.client import Client

from benchmarks.throughput.harness import Driver, phase_settings
from benchmarks.throughput.measure import UNMAPPED_SKU, Bench, ticket
from tests.sample_data import example_store

REPOSITORY = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60.0
STOP_SECONDS = 30.0
POLL_SECONDS = 0.2


def memory_of(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of process ``pid``, in MB."""
    figures: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            figures[name] = int(value.split()[0]) / 1024
    return figures


async def run_rss(bench: Bench) -> None:
    count = bench.counts.parked
    print(f"\n== 5. Worker RSS, a separate process, with {count} parked runs")
    settings = phase_settings(bench, "rss")
    engine = await asyncio.to_thread(example_store, settings.resolved_store_url)
    client = bench.env.client
    log_path, out_path = settings.data_dir / "worker.log", settings.data_dir / "worker.out"
    with log_path.open("wb") as log, out_path.open("wb") as out:
        # Popen, polled: asyncio's ``process.wait()`` was seen waiting for ever on this child
        # after it had gone (under load, beside the SDK's runtime).
        process = subprocess.Popen(  # noqa: ASYNC220 (starting it does not block)
            [
                sys.executable,
                *("-m", "benchmarks.throughput.rss_worker"),
                *("--address", client.service_client.config.target_host),
                *("--namespace", client.namespace),
                *("--task-queue", settings.task_queue),
                *("--data-dir", str(settings.data_dir)),
                *("--store-url", settings.store_url),
            ],
            cwd=REPOSITORY,
            stdout=out,
            stderr=log,
        )
        try:
            await _until_ready(process, out_path, log_path)
            await asyncio.sleep(1.0)
            idle = memory_of(process.pid)
            driver = Driver(client, engine, settings.task_queue)
            terminal = bench.terminal("RS")
            gate = asyncio.Semaphore(bench.counts.in_flight)
            started = time.monotonic()

            async def submit(number: int) -> None:
                async with gate:
                    await driver.submit(ticket(terminal, number + 1, sku=UNMAPPED_SKU))

            await asyncio.gather(*(submit(number) for number in range(count)))
            parked = await _until_parked(client, terminal, count, max(120.0, count / 4))
            took = time.monotonic() - started
            await asyncio.sleep(1.0)
            loaded = memory_of(process.pid)
        finally:
            await _stop(process)
    per_run = (loaded["VmRSS"] - idle["VmRSS"]) * 1024 / max(parked, 1)
    print(f"  idle worker:         VmRSS {idle['VmRSS']:7.1f} MB")
    print(
        f"  {parked:>5} parked runs:   VmRSS {loaded['VmRSS']:7.1f} MB   peak (VmHWM)"
        f" {loaded['VmHWM']:7.1f} MB   ~{per_run:.0f} KB a parked run   (parked in {took:.1f} s)"
    )
    bench.figures["rss_parked"] = float(parked)
    bench.figures["rss_mb"] = loaded["VmRSS"]


async def _until_ready(process: subprocess.Popen[bytes], out: Path, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while b"ready" not in out.read_bytes():  # noqa: ASYNC240 (a few bytes, locally)
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start; see {log}")
        await asyncio.sleep(POLL_SECONDS)


async def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after STOP_SECONDS; polled, so a missed exit cannot hang us."""
    for signalled in (process.terminate, process.kill):
        signalled()
        for _ in range(int(STOP_SECONDS / POLL_SECONDS)):
            if process.poll() is not None:
                return
            await asyncio.sleep(POLL_SECONDS)


async def _until_parked(client: Client, terminal: str, count: int, deadline: float) -> int:
    """How many of the terminal's runs are parked, once all ``count`` are (or at the deadline)."""
    query = (
        f"WorkflowType = 'PosTransaction' AND TerminalId = '{terminal}' AND SyncStage = 'parked'"
    )
    started = time.monotonic()
    parked = 0
    while time.monotonic() - started < deadline:
        parked = (await client.count_workflows(query)).count
        if parked >= count:
            break
        await asyncio.sleep(0.5)
    return parked
