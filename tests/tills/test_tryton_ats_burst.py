"""A burst of sales of one item on the sandbox Tryton, on the real Temporal dev server: the
store's tills get a handful of available-to-sell pushes, the last one Tryton's own figure
(daily posting mode, as a chain at peak runs: each sale's first ERP effect is its reservation)."""

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
from tests.erp_fixtures import sandbox_settings
from tests.factories import make_sale, sale_line
from tests.till_receiver import TillReceiver
from tests.tills.stack import STORE, tills_settings, tills_worker

DEBOUNCE_MS = 2000
MUG, WAREHOUSE = "MUG-001", "WH-LON"


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, erp_sandbox: TrytonSandboxInfo, receiver: TillReceiver
) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("tills-tryton-burst")
    sandbox = sandbox_settings(
        data_dir, erp_sandbox, "tillsync-tills-burst", erp_posting_mode=PostingMode.DAILY
    )
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
    submitter = Submitter(client, engine, settings.task_queue)
    before = len(receiver.of("available", STORE))
    tickets = [make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")]) for _ in range(100)]

    results = await asyncio.gather(*(submit_and_wait(submitter, client, t) for t in tickets))

    assert [result.outcome for result in results] == [Outcome.POSTED] * 100, results
    connector, books = create_erp(settings)
    try:
        expected = (await connector.stock_level(MUG, WAREHOUSE)).available
    finally:
        await connector.aclose()
        await books.aclose()
    assert expected == Decimal(900), "each sale reserved its mug in Tryton"
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
