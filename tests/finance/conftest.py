"""Finance's stack: the real sandbox ERP, a real Temporal dev server with per-workflow time
skipping, and two in-process workers, one per posting mode, each with its own store.

Workflows started through ``skipping_client`` skip their timers (a bounded drain takes
seconds); ``client`` starts them without (transactions, and closes that wait in real time).
"""

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from domain.mapping import MappingKind, MappingRow
from domain.periods import PostingMode
from domain.settings import Settings
from starter.intake.submission import Submitter
from tests.codec_keys import codec_converter
from tests.erp_fixtures import sandbox_settings
from tests.finance.gates import RunGate
from tests.sample_data import open_example_store
from tests.temporal_fixtures import time_skipping_server, workers_running

FINANCE_STORES = [
    MappingRow(kind=MappingKind.LOCATION, store_id="S201", erp_code="WH-LDS"),
    MappingRow(kind=MappingKind.LOCATION, store_id="S202", erp_code="WH-LDS"),
    MappingRow(kind=MappingKind.LOCATION, store_id="S203", erp_code="WH-LDS"),
    MappingRow(kind=MappingKind.TAX, pos_code="UK-ZERO", erp_code="VAT0"),
]


@pytest.fixture(scope="session")
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    async with time_skipping_server() as env:
        yield env


@pytest.fixture(scope="session")
def skipping_client(skipping_env: WorkflowEnvironment) -> Client:
    return skipping_env.client


@pytest.fixture(scope="session")
async def client(skipping_env: WorkflowEnvironment) -> Client:
    return await skipping_env.connect_client(data_converter=codec_converter())


def _settings(
    tmp_path_factory: pytest.TempPathFactory, erp: TrytonSandboxInfo, mode: PostingMode
) -> Settings:
    data_dir = tmp_path_factory.mktemp(f"finance-{mode.value}")
    return sandbox_settings(data_dir, erp, f"tillsync-finance-{mode.value}", erp_posting_mode=mode)


@pytest.fixture(scope="session")
def finance_settings(
    tmp_path_factory: pytest.TempPathFactory, erp_sandbox: TrytonSandboxInfo
) -> Settings:
    """Per-transaction posting: an invoice per ticket."""
    return _settings(tmp_path_factory, erp_sandbox, PostingMode.PER_TRANSACTION)


@pytest.fixture(scope="session")
def daily_settings(
    tmp_path_factory: pytest.TempPathFactory, erp_sandbox: TrytonSandboxInfo
) -> Settings:
    """Daily posting: stock per ticket, one consolidated posting per store and day."""
    return _settings(tmp_path_factory, erp_sandbox, PostingMode.DAILY)


def _engine(settings: Settings) -> Iterator[Engine]:
    with open_example_store(settings.resolved_store_url, FINANCE_STORES) as engine:
        yield engine


@pytest.fixture(scope="session")
def finance_engine(finance_settings: Settings) -> Iterator[Engine]:
    yield from _engine(finance_settings)


@pytest.fixture(scope="session")
def daily_engine(daily_settings: Settings) -> Iterator[Engine]:
    yield from _engine(daily_settings)


@pytest.fixture(scope="session")
def run_gate() -> RunGate:
    return RunGate()


@pytest.fixture(scope="session")
async def finance_workers(
    client: Client,
    finance_settings: Settings,
    daily_settings: Settings,
    finance_engine: Engine,
    daily_engine: Engine,
    run_gate: RunGate,
) -> AsyncIterator[None]:
    async with workers_running(client, finance_settings, daily_settings, interceptors=(run_gate,)):
        yield


@pytest.fixture
def submitter(
    client: Client, finance_settings: Settings, finance_engine: Engine, finance_workers: None
) -> Submitter:
    return Submitter(client, finance_engine, finance_settings.task_queue)


@pytest.fixture
def daily_submitter(
    client: Client, daily_settings: Settings, daily_engine: Engine, finance_workers: None
) -> Submitter:
    return Submitter(client, daily_engine, daily_settings.task_queue)
