"""One tillsync stack on the memory ERP for the session: Temporal's dev server with per-workflow
time skipping (timers and retry backoffs pass at once), a store on SQLite with the demo's
mappings, and a real worker whose ERP connector and books are one MemoryErp."""

import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from connectors.erp.memory import MemoryErp
from domain.periods import PostingMode
from domain.settings import Settings
from starter.intake.submission import Submitter
from tests.memory_erp import orders
from tests.sample_data import demo_memory_erp, open_example_store
from tests.temporal_fixtures import time_skipping_server
from worker import build_worker

WORKER_THREADS = 16


@pytest.fixture(scope="session")
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    # Timer tasks are read up to a second ahead by default, which makes every skipped timer or
    # retry backoff cost about a second of wall time.
    async with time_skipping_server(
        'history.timerProcessorMaxTimeShift="10ms"', binary=shutil.which("temporal")
    ) as env:
        yield env


@pytest.fixture(scope="session")
def memory_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("tillsync-memory")
    return Settings(
        data_dir=data_dir,
        store_url=f"sqlite:///{data_dir / 'store.db'}",
        task_queue="tillsync-memory",
        erp_kind="memory",
        erp_posting_mode=PostingMode.PER_TRANSACTION,
        erp_batch_window_ms=5,
        max_concurrent_activities=WORKER_THREADS,
    )


@pytest.fixture(scope="session")
def memory_engine(memory_settings: Settings) -> Iterator[Engine]:
    with open_example_store(memory_settings.resolved_store_url) as engine:
        yield engine


@pytest.fixture(scope="session")
def memory_erp() -> MemoryErp:
    return demo_memory_erp()


@pytest.fixture(scope="session")
async def memory_worker(
    skipping_env: WorkflowEnvironment,
    memory_settings: Settings,
    memory_engine: Engine,
    memory_erp: MemoryErp,
) -> AsyncIterator[None]:
    with ThreadPoolExecutor(max_workers=WORKER_THREADS) as executor:
        worker = build_worker(
            skipping_env.client,
            memory_settings,
            connector=memory_erp,
            books=memory_erp,
            executor=executor,
        )
        async with worker:
            yield


@pytest.fixture
def client(skipping_env: WorkflowEnvironment) -> Client:
    return skipping_env.client


@pytest.fixture
def submitter(
    client: Client, memory_settings: Settings, memory_engine: Engine, memory_worker: None
) -> Submitter:
    return Submitter(client, memory_engine, memory_settings.task_queue)


@pytest.fixture
def erp() -> MemoryErp:
    """A small ERP for the memory ERP's unit tests (tests.memory_erp.orders)."""
    return MemoryErp(
        warehouses={orders.LONDON},
        products=orders.PRODUCTS,
        stock={(orders.LONDON, code): Decimal(10) for code in orders.PRODUCTS},
    )
