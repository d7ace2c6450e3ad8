"""One tillsync stack for the end-to-end tests: the real Temporal dev server, the real sandbox
Tryton ERP, a store on SQLite and an in-process worker (with a gate to pause activities)."""

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from domain.settings import Settings
from starter.intake.submission import Submitter
from tests.e2e.gates import ActivityGate
from tests.erp_fixtures import sandbox_settings
from tests.sample_data import open_example_store
from tests.temporal_fixtures import workers_running


@pytest.fixture(scope="session")
def e2e_settings(
    tmp_path_factory: pytest.TempPathFactory, erp_sandbox: TrytonSandboxInfo
) -> Settings:
    return sandbox_settings(tmp_path_factory.mktemp("tillsync"), erp_sandbox, "tillsync-e2e")


@pytest.fixture(scope="session")
def e2e_engine(e2e_settings: Settings) -> Iterator[Engine]:
    with open_example_store(e2e_settings.resolved_store_url) as engine:
        yield engine


@pytest.fixture(scope="session")
def gate() -> ActivityGate:
    return ActivityGate()


@pytest.fixture(scope="session")
async def running_worker(
    temporal_env: WorkflowEnvironment,
    e2e_settings: Settings,
    e2e_engine: Engine,
    gate: ActivityGate,
) -> AsyncIterator[None]:
    async with workers_running(temporal_env.client, e2e_settings, interceptors=(gate,)):
        yield


@pytest.fixture
def submitter(
    temporal_env: WorkflowEnvironment,
    e2e_settings: Settings,
    e2e_engine: Engine,
    running_worker: None,
) -> Submitter:
    return Submitter(temporal_env.client, e2e_engine, e2e_settings.task_queue)
