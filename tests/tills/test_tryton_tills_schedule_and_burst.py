"""Store S001's tills and the sandbox Tryton on the real Temporal dev server, beyond the items
(test_tryton_tills.py): the store's Temporal Schedule publishes what Tryton wrote, and a burst
of 100 sales of one item sends a handful of available-to-sell pushes, the last one Tryton's
own figure."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.client import ScheduleActionExecutionStartWorkflow
from temporalio.testing import WorkflowEnvironment

from connectors.erp.factory import create_erp
from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton.catalog import TrytonCatalog
from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from domain.catalog import CatalogItem
from domain.outcomes import Outcome
from domain.settings import Settings
from starter.master_data import ensure_master_data_schedules, sync_now
from starter.submission import Submitter
from tests.e2e.helpers import new_id, submit_and_wait
from tests.erp_fixtures import sandbox_settings
from tests.factories import make_sale, sale_line
from tests.sample_data import example_store
from tests.till_receiver import TillReceiver, till_receiver
from tests.tills.stack import STORE, tills_settings, tills_worker

DEBOUNCE_MS = 1500


@pytest.fixture(scope="module")
def receiver() -> Iterator[TillReceiver]:
    with till_receiver({"S001": "s001-till-secret"}) as till:
        yield till


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, erp_sandbox: TrytonSandboxInfo, receiver: TillReceiver
) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("tills-tryton-burst")
    sandbox = sandbox_settings(data_dir, erp_sandbox, "tillsync-tills-tryton-burst")
    return tills_settings(
        data_dir,
        sandbox.task_queue,
        receiver.url,
        ats_debounce_ms=DEBOUNCE_MS,
        **sandbox.model_dump(
            include={
                "erp_url",
                "erp_database",
                "erp_api_key",
                "erp_company_id",
                "erp_rpc_login",
                "erp_rpc_password",
                "erp_posting_mode",
            }
        ),
    )


@pytest.fixture(scope="module")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = example_store(settings.resolved_store_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
async def worker(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[None]:
    connector, books = create_erp(settings)
    try:
        async with tills_worker(temporal_env.client, settings, connector, books):
            yield
    finally:
        await connector.aclose()
        await books.aclose()


async def _new_item(rest: TrytonRest, code: str, stock: int) -> None:
    item = CatalogItem(code=code, name=code, list_price=Decimal("2.00"), cost_price=Decimal(1))
    catalog = TrytonCatalog(rest)
    await catalog.add_products([item])
    if stock:
        await catalog.count_stock("WH-LON", {code: Decimal(stock)}, date.today())


async def test_the_stores_schedule_publishes_an_item_made_in_tryton(
    temporal_env: WorkflowEnvironment,
    worker: None,
    settings: Settings,
    receiver: TillReceiver,
    tryton_rest: TrytonRest,
) -> None:
    client = temporal_env.client
    await _new_item(tryton_rest, "SCHED-001", 0)
    [schedule_id] = await ensure_master_data_schedules(client, settings, [STORE])
    handle = client.get_schedule_handle(schedule_id)
    try:
        spec = (await handle.describe()).schedule.spec
        assert [interval.every.total_seconds() for interval in spec.intervals] == [15 * 60]
        await handle.trigger()
        async with asyncio.timeout(60):
            while True:
                actions = (await handle.describe()).info.recent_actions
                if actions:
                    break
                await asyncio.sleep(0.2)
        action = actions[-1].action
        assert isinstance(action, ScheduleActionExecutionStartWorkflow)
        await client.get_workflow_handle(action.workflow_id).result()
    finally:
        await handle.delete()

    pushed = receiver.of("masterdata", STORE)
    assert pushed and "SCHED-001" in {article["code"] for article in pushed[-1]["articles"]}


async def test_a_burst_of_100_sales_sends_a_handful_of_pushes_the_last_trytons_figure(
    temporal_env: WorkflowEnvironment,
    worker: None,
    settings: Settings,
    engine: Engine,
    receiver: TillReceiver,
    tryton_rest: TrytonRest,
    tryton_connector: TrytonConnector,
) -> None:
    client = temporal_env.client
    code = "BURST-001"
    await _new_item(tryton_rest, code, 500)
    await sync_now(client, settings, STORE)  # the till's SKU maps to the new item
    before = len(receiver.of("available", STORE))
    submitter = Submitter(client, engine, settings.task_queue)
    tickets = [make_sale(new_id(), [sale_line(1, code, "1", "2.40")]) for _ in range(100)]

    results = await asyncio.gather(*(submit_and_wait(submitter, client, t) for t in tickets))

    assert [result.outcome for result in results] == [Outcome.POSTED] * 100
    expected = (await tryton_connector.stock_level(code, "WH-LON")).available
    assert expected == Decimal(400)
    async with asyncio.timeout(60):
        while True:
            told = [
                Decimal(quantity["available"])
                for push in receiver.of("available", STORE)[before:]
                for quantity in push["quantities"]
                if quantity["item_code"] == code
            ]
            if told and told[-1] == expected:
                break
            await asyncio.sleep(0.2)
    await asyncio.sleep(DEBOUNCE_MS / 1000 * 2)  # a push still to come would land by now
    pushes = [
        push
        for push in receiver.of("available", STORE)[before:]
        if any(quantity["item_code"] == code for quantity in push["quantities"])
    ]
    assert 1 <= len(pushes) <= 10, f"{len(pushes)} pushes for 200 stock changes"
    last = [q for push in pushes for q in push["quantities"] if q["item_code"] == code][-1]
    assert Decimal(last["available"]) == expected
