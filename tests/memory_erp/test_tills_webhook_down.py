"""A store's webhook that is down, on Temporal's time-skipping dev server: available-to-sell
pushes retry with backoff for a minute and the newest quantity arrives once it is back; a
master data publication that failed every retry is an IT exception, resolved by the next one
that gets through, which carries everything the till missed."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from activities.available import StockChanges, ats_workflow_id
from activities.master_data import failure_key
from connectors.erp.memory import MemoryErp
from domain.master_data import ErpItem
from domain.outcomes import ExceptionKind
from domain.settings import Settings
from starter.control.master_data_sync import sync_now
from store.db import session_scope
from store.exceptions import list_exceptions
from tests.sample_data import open_example_store
from tests.till_receiver import TillReceiver
from tests.tills.stack import STORE, tills_settings, tills_worker

TEA = "TEA-001"


@pytest.fixture(scope="module")
def down_erp() -> MemoryErp:
    erp = MemoryErp(warehouses={"WH-LON"}, products={TEA}, default_stock=Decimal(100))
    erp.master.set_tax_rate("VAT20", Decimal("0.20"))
    return erp


@pytest.fixture(scope="module")
def down_settings(tmp_path_factory: pytest.TempPathFactory, receiver: TillReceiver) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("tills-down")
    return tills_settings(
        data_dir, "tillsync-tills-down", receiver.url, erp_kind="memory", ats_debounce_ms=500
    )


@pytest.fixture(scope="module")
def down_engine(down_settings: Settings) -> Iterator[Engine]:
    with open_example_store(down_settings.resolved_store_url) as engine:
        yield engine


@pytest.fixture(scope="module")
async def down_worker(
    skipping_env: WorkflowEnvironment,
    down_settings: Settings,
    down_engine: Engine,
    down_erp: MemoryErp,
) -> AsyncIterator[None]:
    async with tills_worker(skipping_env.client, down_settings, down_erp, down_erp):
        yield


async def _until(condition: Callable[[], bool], within: float = 60.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if condition():
                return
            await asyncio.sleep(0.05)


async def test_the_newest_quantity_arrives_once_the_webhook_is_back(
    skipping_env: WorkflowEnvironment,
    down_worker: None,
    down_settings: Settings,
    down_erp: MemoryErp,
    receiver: TillReceiver,
) -> None:
    changes = StockChanges(skipping_env.client, down_settings.task_queue, 500, [STORE])
    receiver.down = True
    refused_before = receiver.refused
    down_erp.set_on_hand(TEA, "WH-LON", Decimal(50))
    await changes.signal(STORE, [TEA])
    await _until(lambda: receiver.refused >= refused_before + 2)

    publisher = skipping_env.client.get_workflow_handle(
        ats_workflow_id(down_settings.task_queue, STORE)
    )
    # A minute down, the push retrying with backoff.
    assert await skipping_env.fast_forward(publisher, timedelta(minutes=1))
    down_erp.set_on_hand(TEA, "WH-LON", Decimal(42))
    await changes.signal(STORE, [TEA])
    receiver.down = False

    await _until(lambda: bool(receiver.of("available", STORE)))
    await asyncio.sleep(1)  # a later push would land by now
    pushed = [q for push in receiver.of("available", STORE) for q in push["quantities"]]
    assert receiver.refused >= refused_before + 3
    assert Decimal(pushed[-1]["available"]) == Decimal(42)
    assert all(Decimal(q["available"]) == Decimal(42) for q in pushed), "no stale value"


async def test_a_publication_that_fails_every_retry_is_an_it_exception_until_one_succeeds(
    skipping_env: WorkflowEnvironment,
    down_worker: None,
    down_settings: Settings,
    down_engine: Engine,
    down_erp: MemoryErp,
    receiver: TillReceiver,
) -> None:
    client = skipping_env.client
    item = ErpItem(
        code=TEA,
        description="Earl Grey",
        unit="Unit",
        tax_codes=("VAT20",),
        list_price=Decimal("2.50"),
        written_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    down_erp.master.put_item(item)
    receiver.down = True

    failed = await sync_now(client, down_settings, STORE)

    assert failed.failure and "503" in failed.failure, failed
    with session_scope(down_engine) as session:
        (exception,) = [
            record
            for record in list_exceptions(session, store_id=STORE)
            if record.workflow_id == failure_key(STORE)
        ]
        assert (exception.kind, exception.owner) == (ExceptionKind.TILL_PUBLISH_FAILED, "it")

    receiver.down = False
    down_erp.master.put_item(item.model_copy(update={"description": "Earl Grey, loose"}))
    published = await sync_now(client, down_settings, STORE)

    assert published.failure is None and published.pushed and published.pushed.pushed
    (document,) = receiver.of("masterdata", STORE)
    assert [a["description"] for a in document["articles"]] == ["Earl Grey, loose"]
    with session_scope(down_engine) as session:
        still_open = [
            record
            for record in list_exceptions(session, store_id=STORE)
            if record.workflow_id == failure_key(STORE)
        ]
        assert still_open == []
