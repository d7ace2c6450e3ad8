"""The ingest against the real stack: the Temporal dev server, the sandbox Tryton ERP, a store on
SQLite and an in-process worker on a task queue of its own; requests go in-process through
httpx's ASGI transport."""

import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from domain.settings import Settings
from starter.ingest.server import build_app
from tests.erp_fixtures import sandbox_settings
from tests.ingest.signing import SECRETS
from tests.sample_data import open_example_store
from tests.temporal_fixtures import workers_running


@pytest.fixture(scope="session")
def ingest_settings(
    tmp_path_factory: pytest.TempPathFactory, erp_sandbox: TrytonSandboxInfo
) -> Settings:
    data_dir = tmp_path_factory.mktemp("ingest")
    return sandbox_settings(
        data_dir,
        erp_sandbox,
        "tillsync-ingest",
        store_secrets=SecretStr(json.dumps(SECRETS)),
        ingest_max_body_bytes=1024 * 1024,
        ingest_max_batch=50,
        # The POSLog day's largest tickets (100+ lines) take Tryton a while on a busy machine.
        erp_timeout_seconds=120,
    )


@pytest.fixture(scope="session")
def ingest_engine(ingest_settings: Settings) -> Iterator[Engine]:
    with open_example_store(ingest_settings.resolved_store_url) as engine:
        yield engine


@pytest.fixture(scope="session")
async def ingest_worker(
    temporal_env: WorkflowEnvironment, ingest_settings: Settings, ingest_engine: Engine
) -> AsyncIterator[None]:
    async with workers_running(temporal_env.client, ingest_settings):
        yield


@pytest.fixture(scope="session")
def ingest_app(
    temporal_env: WorkflowEnvironment, ingest_settings: Settings, ingest_worker: None
) -> FastAPI:
    return build_app(ingest_settings, temporal_env.client)


@pytest.fixture
async def http(ingest_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=ingest_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        yield client
