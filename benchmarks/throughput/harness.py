"""A real tillsync worker in this process, and a driver that submits tickets as a till would.

The worker is ``worker.build_worker(client, settings, connector, books, executor)``, the same
call on every checkout, so these figures also measure an older version of the saga.
"""

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client, WorkflowFailureError

from benchmarks.throughput.measure import Bench
from connectors.erp.base import ErpBooks, ErpConnector
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.intake.submission import Submitter, wait_settled
from tests.sample_data import example_store
from worker import build_worker, freeze_what_startup_made
from workflows.pos_transaction import PosTransactionWorkflow

RESULT_WAIT_SECONDS = 120.0
"""How long the driver waits for a run's end before asking it how it settled (a parked run
does not end)."""


def phase_settings(bench: Bench, phase: str, **extra: Any) -> Settings:
    """Settings of one phase: its own task queue, and its own SQLite store in the scratch folder
    (or the shared store URL given with ``--store-url``)."""
    data_dir = bench.folder / phase
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        data_dir=data_dir,
        task_queue=f"bench-{phase}",
        store_url=bench.store_url,
        workflow_sandbox=bench.sandbox,
        **extra,
    )


@asynccontextmanager
async def tillsync_worker(
    client: Client, settings: Settings, connector: ErpConnector, books: ErpBooks
) -> AsyncIterator[Engine]:
    """A store with the demo's mappings, and a worker polling the phase's task queue."""
    engine = example_store(settings.resolved_store_url)
    with ThreadPoolExecutor(max_workers=settings.max_concurrent_activities) as executor:
        worker = build_worker(client, settings, connector, books, executor)
        freeze_what_startup_made()  # as worker.run_worker does
        async with worker:
            yield engine


class Driver:
    """Submits tickets through ``starter.intake.submission`` and waits for each to settle, noting
    ``time.monotonic()`` at submit and at settle, per workflow id."""

    def __init__(self, client: Client, engine: Engine, task_queue: str) -> None:
        self._client = client
        self.submitter = Submitter(client, engine, task_queue)
        self.submitted_at: dict[str, float] = {}
        self.settled_at: dict[str, float] = {}
        self.outcomes: Counter[str] = Counter()

    async def submit(self, txn: PosTransaction) -> bool:
        self.submitted_at[txn.workflow_id] = time.monotonic()
        _, started = await self.submitter.submit(txn)
        if not started:
            self.outcomes["duplicate at submit"] += 1
        return started

    async def submit_and_settle(self, txn: PosTransaction) -> None:
        if not await self.submit(txn):
            return
        outcome = await self._settled(txn.workflow_id)
        self.settled_at[txn.workflow_id] = time.monotonic()
        self.outcomes[outcome] += 1

    async def _settled(self, workflow_id: str) -> str:
        """How the run settled, learnt from its end, as the naive baseline's client learns
        it: a till does not wait at all, and an update (``wait_settled``, which also answers
        for a parked run) would cost each run one more workflow task than production pays."""
        handle = self._client.get_workflow_handle_for(PosTransactionWorkflow.run, workflow_id)
        try:
            status = await asyncio.wait_for(handle.result(), RESULT_WAIT_SECONDS)
        except WorkflowFailureError as error:
            return str(error.cause)
        except TimeoutError:
            result = await wait_settled(self._client, workflow_id)
            return str(result.outcome or result.message or "unsettled")
        return str(status.outcome or "unsettled")

    def posted(self) -> int:
        return self.outcomes["posted"]

    def since_submit(self, at: dict[str, float]) -> list[float]:
        """Seconds from submit to each time in ``at`` (per workflow id) that has both."""
        return [
            moment - self.submitted_at[workflow_id]
            for workflow_id, moment in at.items()
            if workflow_id in self.submitted_at
        ]

    def reset(self) -> None:
        self.submitted_at.clear()
        self.settled_at.clear()
        self.outcomes.clear()

    def outcome_summary(self) -> str:
        return ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes.items()))
