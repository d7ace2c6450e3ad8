"""Available-to-sell from the sandbox Tryton, on the real Temporal dev server (daily posting
mode, as a chain at peak runs: each sale's first ERP effect is its reservation): a burst of
sales of one item gives the store's tills a handful of pushes, the last one Tryton's own
figure; the store's webhook down a while (the push retrying with backoff), then up, gets Tryton's
newest figure (the memory ERP's test keeps it down a minute, in skipped time)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from connectors.erp.factory import create_erp
from connectors.erp.tryton import TrytonRest
from connectors.erp.tryton.catalog import TrytonCatalog
from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from domain.outcomes import Outcome
from domain.periods import PostingMode
from domain.settings import Settings
from starter.intake.submission import Submitter
from tests.e2e.helpers import new_id, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.till_receiver import TillReceiver
from tests.tills.stack import (
    STORE,
    tryton_tills_settings,
    tryton_tills_worker,
)

DEBOUNCE_MS = 2000
MUG, WAREHOUSE = "MUG-001", "WH-LON"
OUTAGE_SECONDS = 8  # real time: the push refused and retried with backoff a few times


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, erp_sandbox: TrytonSandboxInfo, receiver: TillReceiver
) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("tills-tryton-burst")
    return tryton_tills_settings(
        data_dir,
        erp_sandbox,
        "tillsync-tills-burst",
        receiver.url,
        PostingMode.DAILY,
        ats_debounce_ms=DEBOUNCE_MS,
    )


@pytest.fixture(scope="module")
async def worker(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[None]:
    async with tryton_tills_worker(temporal_env.client, settings):
        yield


async def _available(settings: Settings) -> Decimal:
    """Tryton's available mugs (other tests' reservations in the shared sandbox count)."""
    connector, books = create_erp(settings)
    try:
        return (await connector.stock_level(MUG, WAREHOUSE)).available
    finally:
        await connector.aclose()
        await books.aclose()


def _mugs_told(receiver: TillReceiver, before: int) -> list[Decimal]:
    return [
        Decimal(quantity["available"])
        for push in receiver.of("available", STORE)[before:]
        for quantity in push["quantities"]
        if quantity["item_code"] == MUG
    ]


async def test_a_burst_of_100_sales_on_tryton_sends_a_handful_of_pushes_the_last_trytons_figure(
    temporal_env: WorkflowEnvironment,
    worker: None,
    settings: Settings,
    engine: Engine,
    receiver: TillReceiver,
    tryton_rest: TrytonRest,
) -> None:
    client = temporal_env.client
    await TrytonCatalog(tryton_rest).count_stock(WAREHOUSE, {MUG: Decimal(1000)}, date.today())
    start = await _available(settings)
    submitter = Submitter(client, engine, settings.task_queue)
    before = len(receiver.of("available", STORE))
    tickets = [make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")]) for _ in range(100)]

    results = await asyncio.gather(*(submit_and_wait(submitter, client, t) for t in tickets))

    assert [result.outcome for result in results] == [Outcome.POSTED] * 100, results
    expected = await _available(settings)
    assert expected == start - 100, "each sale reserved its mug in Tryton"
    async with asyncio.timeout(60):
        while True:
            told = _mugs_told(receiver, before)
            if told and told[-1] == expected:
                break
            await asyncio.sleep(0.2)
    await asyncio.sleep(DEBOUNCE_MS / 1000 * 2)  # a push still to come would land by now
    pushes = receiver.of("available", STORE)[before:]
    assert 1 <= len(pushes) <= 10, f"{len(pushes)} pushes for 100 sales"
    assert _mugs_told(receiver, before)[-1] == expected


async def test_the_webhook_down_a_while_then_up_tills_get_trytons_newest_figure(
    temporal_env: WorkflowEnvironment,
    worker: None,
    settings: Settings,
    engine: Engine,
    receiver: TillReceiver,
    tryton_rest: TrytonRest,
) -> None:
    client = temporal_env.client
    submitter = Submitter(client, engine, settings.task_queue)
    refused_before = receiver.refused
    receiver.down = True
    try:
        for _ in range(2):
            sold = await submit_and_wait(
                submitter, client, make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])
            )
            assert sold.outcome is Outcome.POSTED, sold
        async with asyncio.timeout(60):
            while True:
                if receiver.refused >= refused_before + 2:
                    break
                await asyncio.sleep(0.2)
        await asyncio.sleep(OUTAGE_SECONDS)
        late = await submit_and_wait(
            submitter, client, make_sale(new_id(), [sale_line(1, "100002", "3", "9.00")])
        )
        assert late.outcome is Outcome.POSTED, late
        before = len(receiver.of("available", STORE))
    finally:
        receiver.down = False
    newest = await _available(settings)
    async with asyncio.timeout(120):
        while True:
            told = _mugs_told(receiver, before)
            if told and told[-1] == newest:
                break
            await asyncio.sleep(0.2)
    assert receiver.refused >= refused_before + 3, "the pushes were refused while it was down"
