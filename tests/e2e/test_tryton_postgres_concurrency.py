"""Concurrent sales booked by two tillsync workers sharing one task queue: in daily mode (the
default) on the session's sandbox Tryton, and in per-transaction mode on Tryton as production
runs it (`make test-long`): PostgreSQL, gunicorn's worker processes and trytond-worker (its
own ERP: ``postgres_tryton_server``). Every ticket competes for the same products, so
Tryton's row locks (the sale, stock, invoice and move sequences) collide and answer 503; the
saga's retries must still post each ticket exactly once in Tryton's own books."""

import asyncio
import logging
import os
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from connectors.erp.tryton import TrytonRest
from connectors.erp.tryton.rest import busy_log
from connectors.erp.tryton_sandbox import TrytonSandboxInfo, TrytonServer
from domain.outcomes import Outcome
from domain.periods import PostingMode
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.intake.submission import SubmitResult, Submitter
from tests.codec_keys import codec_converter
from tests.e2e.helpers import new_id, submit_and_wait
from tests.erp_fixtures import sandbox_settings
from tests.factories import make_sale, sale_line
from tests.sample_data import example_store
from worker import run_worker

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

# Tryton posts one invoice of a company at a time (its strict sequence), so the run grows with
# the count: TILLSYNC_TEST_CONCURRENT_TICKETS=20 for more contention than ``make test`` affords.
TICKETS = int(os.environ.get("TILLSYNC_TEST_CONCURRENT_TICKETS", "10"))
WORKERS = 2
DAILY_TICKETS = 20


def _ticket(number: int) -> PosTransaction:
    """Tea and a mug, as every other ticket: all of them lock the same products' stock."""
    return make_sale(
        new_id("PGC"),
        [sale_line(1, "100001", "1", "3.60"), sale_line(2, "100002", "1", "9.00")],
        terminal_id=f"T{number % 4 + 1}",
        receipt_number=number // 4 + 1,
    )


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.requests: Counter[str] = Counter()

    @property
    def count(self) -> int:
        return self.requests.total()

    def emit(self, record: logging.LogRecord) -> None:
        request = str(record.args[0]) if isinstance(record.args, tuple) else "?"
        self.requests[re.sub(r"/\d+", "/<id>", request)] += 1


@contextmanager
def _busy_answers() -> Iterator[_Counter]:
    """Counts the 503s the connector sent again (Tryton's lock and serialization conflicts)."""
    counter, level = _Counter(), busy_log.level
    busy_log.addHandler(counter)
    busy_log.setLevel(logging.INFO)
    try:
        yield counter
    finally:
        busy_log.removeHandler(counter)
        busy_log.setLevel(level)


async def _retried_attempts(client: Client, workflow_id: str) -> int:
    """Activity attempts beyond the first (a started event carries its final attempt)."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return sum(
        event.activity_task_started_event_attributes.attempt - 1
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    )


async def _booked_by_two_workers(
    client: Client, settings: Settings, tickets: list[PosTransaction]
) -> list[SubmitResult]:
    engine = example_store(settings.resolved_store_url)
    # Temporal lets one client poll a task queue once: each worker has a client of its own.
    worker_clients = [
        await Client.connect(
            client.service_client.config.target_host,
            namespace=client.namespace,
            data_converter=codec_converter(),
        )
        for _ in range(WORKERS)
    ]
    stop = asyncio.Event()
    workers = [
        asyncio.create_task(run_worker(settings, worker_client, stop))
        for worker_client in worker_clients
    ]
    try:
        submitter = Submitter(client, engine, settings.task_queue)
        async with asyncio.timeout(300):  # generous: a busy two-core machine is slow
            return list(
                await asyncio.gather(
                    *(submit_and_wait(submitter, client, ticket) for ticket in tickets)
                )
            )
    finally:
        stop.set()
        await asyncio.gather(*workers)
        engine.dispose()


async def test_two_workers_book_each_tickets_stock_once_in_daily_mode(
    temporal_env: WorkflowEnvironment, erp_sandbox: TrytonSandboxInfo, tmp_path: Path
) -> None:
    settings = sandbox_settings(
        tmp_path,
        erp_sandbox,
        f"tillsync-two-{uuid.uuid4().hex[:8]}",
        erp_posting_mode=PostingMode.DAILY,
    )
    tickets = [_ticket(number) for number in range(DAILY_TICKETS)]

    results = await _booked_by_two_workers(temporal_env.client, settings, tickets)

    assert [result.outcome for result in results] == [Outcome.POSTED] * DAILY_TICKETS, results
    rest = TrytonRest(
        erp_sandbox.url, erp_sandbox.database, erp_sandbox.api_key, erp_sandbox.company_id
    )
    try:
        shipments = await rest.search(
            "stock.shipment.out",
            [("reference", "in", [ticket.workflow_id for ticket in tickets])],
            ["reference", "state"],
        )
        sales = await rest.search(
            "sale.sale", [("reference", "in", [t.workflow_id for t in tickets])], ["id"]
        )
    finally:
        await rest.aclose()
    booked = Counter((shipment["reference"], shipment["state"]) for shipment in shipments)
    assert booked == Counter({(ticket.workflow_id, "assigned"): 1 for ticket in tickets}), (
        "each ticket's stock reserved once (the day's posting issues it)"
    )
    assert sales == [], "daily mode books no sale per ticket"


@pytest.mark.long
async def test_concurrent_tickets_from_two_workers_post_once_each(
    temporal_env: WorkflowEnvironment, postgres_tryton_server: TrytonServer, tmp_path: Path
) -> None:
    erp = postgres_tryton_server.info
    settings = sandbox_settings(tmp_path, erp, f"tillsync-pg-{uuid.uuid4().hex[:8]}")
    client = temporal_env.client
    tickets = [_ticket(number) for number in range(TICKETS)]
    with _busy_answers() as busy:
        results = await _booked_by_two_workers(client, settings, tickets)
    assert [result.outcome for result in results] == [Outcome.POSTED] * TICKETS, results

    rest = TrytonRest(erp.url, erp.database, erp.api_key, erp.company_id)
    try:
        for ticket in tickets:
            reference = ticket.workflow_id
            sales = await rest.search(
                "sale.sale",
                [("reference", "like", f"{reference}%")],
                ["reference", "shipments.state", "invoices.state", "invoices.total_amount"],
            )
            assert [sale["reference"] for sale in sales] == [reference], "one sale a ticket"
            assert [s["state"] for s in sales[0]["shipments"]] == ["done"], "processed once"
            [invoice] = sales[0]["invoices"]
            assert invoice["state"] in {"posted", "paid"}, sales
            assert invoice["total_amount"] == ticket.totals.gross
    finally:
        await rest.aclose()

    retries = await asyncio.gather(*(_retried_attempts(client, t.workflow_id) for t in tickets))
    print(
        f"\n{TICKETS} tickets, {WORKERS} workers: Tryton answered 503 (lock or serialization"
        f" conflict) {busy.count} times, sent again by the connector; {sum(retries)} activity"
        f" retries over {sum(1 for r in retries if r)} tickets; 503s by request:"
        f" {dict(busy.requests.most_common())}"
    )
