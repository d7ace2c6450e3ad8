"""One chaos run: start the stack, send the day while the faults fall, let it drain, post the
day, then check the invariant on the ERP's and the store's own books and print the figures."""

import asyncio
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.client import Client

from tests.chaos.day import WAREHOUSES, Ticket, store_day
from tests.chaos.erp_books import read_books
from tests.chaos.faults import Injector, retries
from tests.chaos.figures import Figures, render
from tests.chaos.invariant import check
from tests.chaos.load import Load
from tests.chaos.malformed import malformed
from tests.chaos.proxy import ErpProxy, ProxyFaults
from tests.chaos.schedule import POSTING_STEPS, Fault, FaultPlan, fault_schedule
from tests.chaos.stack import REPOSITORY, ChaosStack
from tests.chaos.store_view import read_store
from tests.codec_keys import codec_converter

DRAIN_TIMEOUT_SECONDS = 2400
RUNNING = "WorkflowType='PosTransaction' AND ExecutionStatus='Running'"


@dataclass(frozen=True)
class RunOptions:
    tickets: int
    seed: int
    plan: FaultPlan
    malformed: int
    tickets_per_second: float
    chunk: int
    keep: bool = False


def submission_order(tickets: list[Ticket], seed: int) -> list[Ticket]:
    """Till order, with the offline tills' backlogs last (replayed when they come back) and
    one ticket in fifty sent once more at the end of the day."""
    rng = random.Random(seed)
    online = [t for t in tickets if t.kind != "offline"]
    offline = [t for t in tickets if t.kind == "offline"]
    resent = rng.sample(tickets, max(1, len(tickets) // 50))
    return [*online, *offline, *resent]


async def run(options: RunOptions) -> int:
    folder = Path(tempfile.mkdtemp(prefix="tillsync-chaos-"))
    tickets = store_day(options.tickets, options.seed)
    schedule = fault_schedule(options.seed, options.plan)
    bad = malformed([t.payload for t in tickets], options.malformed, options.seed)
    stack = ChaosStack(folder)
    proxy_faults = ProxyFaults(rng=random.Random(options.seed))
    say(f"seed {options.seed}, {options.tickets} tickets, logs in {folder}")
    try:
        await asyncio.to_thread(stack.start_store)
        await asyncio.to_thread(stack.start_erp)
        assert stack.erp is not None
        proxy = ErpProxy(stack.erp.url, stack.proxy_port, proxy_faults)
        await proxy.start()
        await asyncio.to_thread(stack.start_temporal)
        await asyncio.to_thread(stack.start_ingest)
        for number in (1, 2):
            stack.start_worker(number)
        opening = read_books(stack.erp_sqlite, set(WAREHOUSES.values()))
        say(f"stack up; sending the day with {len(schedule)} timed faults")
        injector = Injector(stack, proxy_faults)
        load = Load(stack, folder)
        figures = Figures(tickets=len(tickets), malformed=len(bad))
        started = time.monotonic()
        supervisor = asyncio.create_task(_supervise(injector))
        order = submission_order(tickets, options.seed)
        await _send_day(order, bad, schedule, load, injector, options)
        figures.load_seconds = time.monotonic() - started
        say("day sent, faults over; draining")
        client = await _client(stack)
        try:
            figures.drain_seconds = await _drained(client, stack, load.figures.accepted, injector)
            say("drained; the day's posting")
            await _post_day(stack, injector)
            await _drained(client, stack, load.figures.accepted, injector)
        except TimeoutError as error:
            figures.undrained = str(error)
            say(f"{error}: checking the books as they are")
        supervisor.cancel()
        say("reading the books")
        figures.activity_retries = retries(injector.activity_logs)
        figures.started_runs = (await client.count_workflows("WorkflowType='PosTransaction'")).count
        closing = read_books(stack.erp_sqlite, set(WAREHOUSES.values()))
        store = read_store(stack.store_url)
        verdict = check(tickets, load.figures.accepted, opening, closing, store)
        figures.fill(verdict, load.figures, injector.injected, proxy_faults, tickets, bad, store)
        print(render(figures), flush=True)
        await load.aclose()
        await proxy.stop()
        return 0 if figures.passed else 1
    finally:  # blocking on purpose: a second cancellation must not skip the teardown
        stack.stop_all()
        stack.drop_store()
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


_BEGAN = time.monotonic()


def say(text: str) -> None:
    print(f"chaos [{time.monotonic() - _BEGAN:5.0f} s] {text}", flush=True)


async def _send_day(
    order: list[Ticket],
    bad: list[tuple[dict[str, Any], str]],
    schedule: list[Fault],
    load: Load,
    injector: Injector,
    options: RunOptions,
) -> None:
    """Chunks at the options' pace; each fault starts (its own task) when its share of the
    day is sent; the malformed payloads go out in slices beside the chunks."""
    chunks = [order[i : i + options.chunk] for i in range(0, len(order), options.chunk)]
    per_chunk = -(-len(bad) // len(chunks))
    pending = list(schedule)
    tasks: list[asyncio.Task[None]] = []
    sending: list[asyncio.Task[None]] = []
    began = time.monotonic()
    for index, chunk in enumerate(chunks):
        share = index / len(chunks)
        while pending and pending[0].at <= share:
            tasks.append(asyncio.create_task(injector.inject(pending.pop(0))))
        sending.append(asyncio.create_task(load.three_times(chunk)))
        slice_ = bad[index * per_chunk : (index + 1) * per_chunk]
        sending.append(asyncio.create_task(load.malformed(slice_)))
        due = began + (index + 1) * options.chunk / options.tickets_per_second
        await asyncio.sleep(max(0.0, due - time.monotonic()))
    tasks += [asyncio.create_task(injector.inject(fault)) for fault in pending]
    await asyncio.gather(*sending)
    await asyncio.gather(*tasks)


async def _supervise(injector: Injector) -> None:
    """The only one who starts workers again: about two seconds after they died."""
    while True:
        await asyncio.sleep(2)
        injector.restart_dead_workers()


async def _client(stack: ChaosStack) -> Client:
    address = f"127.0.0.1:{stack.temporal_port}"
    return await Client.connect(address, data_converter=codec_converter())


async def _drained(
    client: Client, stack: ChaosStack, accepted: set[str], injector: Injector
) -> float:
    """Seconds from the last fault's end until every accepted ticket is journaled or has an
    open exception and no run is left but parked ones."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        store = await asyncio.to_thread(read_store, stack.store_url)
        settled = all(w in store.journal or w in store.open_exceptions for w in accepted)
        if settled:
            try:
                running = (await client.count_workflows(RUNNING)).count
                parked = (await client.count_workflows(f"{RUNNING} AND SyncStage='parked'")).count
            except Exception:  # Temporal restarting
                running, parked = 1, 0
            if running == parked:
                return time.monotonic() - injector.injected.last_fault_ended
        await asyncio.sleep(2)
    raise TimeoutError(f"not drained after {DRAIN_TIMEOUT_SECONDS} s")


async def _post_day(stack: ChaosStack, injector: Injector) -> None:
    """The day's consolidated posting per store, with a worker killed in each of its steps
    during the first store's."""
    for number, store_id in enumerate(WAREHOUSES):
        steps = POSTING_STEPS if number == 0 else ()
        kills = [asyncio.create_task(injector.kill_worker_in(step)) for step in steps]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "starter.cli", "posting", "run", "--store", store_id),
            cwd=REPOSITORY,
            env=stack.environment(),
        )
        if await process.wait() != 0:
            raise RuntimeError(f"the day's posting of {store_id} failed")
        for kill in kills:
            kill.cancel()
