"""Session fixtures for tests against the sandbox Tryton ERP.

Registered from tests/conftest.py with ``pytest_plugins = ["tests.erp_fixtures"]``. The template
database is built once and cached (under ``$TILLSYNC_DATA_DIR/cache/erp-template``, default
``.data/cache/erp-template``); every session runs its own copy on a free port.

``TILLSYNC_TEST_ERP_BACKEND=postgresql`` runs the session's ERP as production does instead: on
a copy of the PostgreSQL template (on the server of ``TILLSYNC_TEST_POSTGRES_URL``), served by
``TILLSYNC_TEST_ERP_PROCESSES`` (default 4) gunicorn worker processes, with trytond-worker
running queued tasks. ``postgres_tryton_server`` is such an ERP whatever the variable says.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton_sandbox import (
    TrytonSandboxInfo,
    TrytonServer,
    copy_database,
    ensure_postgres_template,
    ensure_template,
    postgres_sandbox,
)
from domain.periods import PostingMode
from domain.settings import Settings
from tests.store_fixtures import POSTGRES_ADMIN_URL

_REPOSITORY = Path(__file__).resolve().parents[1]
ERP_BACKEND = os.environ.get("TILLSYNC_TEST_ERP_BACKEND", "sqlite")
ERP_PROCESSES = int(os.environ.get("TILLSYNC_TEST_ERP_PROCESSES", "4"))
# trytond's form of the test PostgreSQL server: postgresql://user@host:port/
ERP_POSTGRES_URI = "postgresql://" + POSTGRES_ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0] + "/"


def erp_template_cache_dir() -> Path:
    data_dir = Path(os.environ.get("TILLSYNC_DATA_DIR", _REPOSITORY / ".data"))
    return data_dir / "cache" / "erp-template"


@asynccontextmanager
async def postgres_erp(work_dir: Path, name: str) -> AsyncIterator[TrytonServer]:
    """The sandbox ERP as production runs it, on a PostgreSQL copy dropped at the end."""
    await asyncio.to_thread(ensure_postgres_template, ERP_POSTGRES_URI)  # minutes if missing
    with postgres_sandbox(work_dir, name, ERP_POSTGRES_URI) as database:
        async with TrytonServer(
            database, processes=ERP_PROCESSES, queue_worker=True, startup_timeout=120.0
        ) as server:
            yield server


@pytest.fixture(scope="session")
async def tryton_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[TrytonServer]:
    """The sandbox ERP, running for the whole session (tests may stop and restart it)."""
    if ERP_BACKEND == "postgresql":
        async with postgres_erp(tmp_path_factory.mktemp("erp"), "tillsync") as server:
            yield server
        return
    if ERP_BACKEND != "sqlite":
        raise ValueError(f"TILLSYNC_TEST_ERP_BACKEND={ERP_BACKEND}: sqlite or postgresql")
    template = await asyncio.to_thread(ensure_template, erp_template_cache_dir())
    database = copy_database(template, tmp_path_factory.mktemp("erp"), "tillsync")
    async with TrytonServer(database) as server:
        yield server


@pytest.fixture(scope="session")
async def postgres_tryton_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[TrytonServer]:
    """A second sandbox ERP of the session's own, on PostgreSQL with gunicorn's worker
    processes and trytond-worker, whichever backend ``tryton_server`` runs on."""
    async with postgres_erp(tmp_path_factory.mktemp("erp-postgres"), "concurrency") as server:
        yield server


@pytest.fixture(scope="session")
def erp_sandbox(tryton_server: TrytonServer) -> TrytonSandboxInfo:
    return tryton_server.info


@asynccontextmanager
async def _connector(erp: TrytonSandboxInfo, mode: PostingMode) -> AsyncIterator[TrytonConnector]:
    connector = TrytonConnector(erp.client(), posting_mode=mode)
    try:
        yield connector
    finally:
        await connector.aclose()


@pytest.fixture
async def tryton_connector(erp_sandbox: TrytonSandboxInfo) -> AsyncIterator[TrytonConnector]:
    """The connector in per-transaction mode: a sale and an invoice per ticket."""
    async with _connector(erp_sandbox, PostingMode.PER_TRANSACTION) as connector:
        yield connector


@pytest.fixture
async def tryton_daily_connector(
    erp_sandbox: TrytonSandboxInfo,
) -> AsyncIterator[TrytonConnector]:
    """The connector in daily posting mode: a ticket that returns nothing is a shipment alone."""
    async with _connector(erp_sandbox, PostingMode.DAILY) as connector:
        yield connector


@pytest.fixture
async def tryton_rest(erp_sandbox: TrytonSandboxInfo) -> AsyncIterator[TrytonRest]:
    """Direct REST access, for tests that inspect what the connector booked, or load a
    catalogue: confirming the POSLog day's inventory (384 products) is one request of about
    25 s on SQLite and 35 s on PostgreSQL, beyond the connector's default 30 s."""
    rest = TrytonRest(
        erp_sandbox.url,
        erp_sandbox.database,
        erp_sandbox.api_key,
        erp_sandbox.company_id,
        timeout=120.0,
    )
    yield rest
    await rest.aclose()


@pytest.fixture
async def tryton_rpc(erp_sandbox: TrytonSandboxInfo) -> AsyncIterator[TrytonRpc]:
    rpc = TrytonRpc(
        erp_sandbox.url, erp_sandbox.database, erp_sandbox.rpc_login, erp_sandbox.rpc_password
    )
    yield rpc
    await rpc.aclose()


def sandbox_settings(
    data_dir: Path, erp: TrytonSandboxInfo, task_queue: str, **overrides: Any
) -> Settings:
    """Settings for a tillsync stack on the sandbox ERP, with its own store in ``data_dir``;
    per-transaction posting unless told (the end-to-end tests read each ticket's invoice)."""
    overrides.setdefault("erp_posting_mode", PostingMode.PER_TRANSACTION)
    return Settings(
        data_dir=data_dir,
        store_url=f"sqlite:///{data_dir / 'store.db'}",
        task_queue=task_queue,
        erp_url=erp.url,
        erp_database=erp.database,
        erp_api_key=erp.api_key,
        erp_company_id=erp.company_id,
        erp_rpc_login=erp.rpc_login,
        erp_rpc_password=erp.rpc_password,
        **overrides,
    )


def sandbox_environment(settings: Settings, temporal_address: str, **extra: str) -> dict[str, str]:
    """This process's environment, plus what a ``tillsync`` process needs to reach the stack
    of ``settings`` (its store, the sandbox ERP) and the Temporal server at ``temporal_address``."""
    return {
        **os.environ,
        "TILLSYNC_TEMPORAL_ADDRESS": temporal_address,
        "TILLSYNC_STORE_URL": settings.resolved_store_url,
        "TILLSYNC_DATA_DIR": str(settings.data_dir),
        "TILLSYNC_ERP_URL": settings.erp_url,
        "TILLSYNC_ERP_DATABASE": settings.erp_database,
        "TILLSYNC_ERP_API_KEY": settings.erp_api_key.get_secret_value(),
        "TILLSYNC_ERP_COMPANY_ID": str(settings.erp_company_id),
        "TILLSYNC_ERP_POSTING_MODE": settings.erp_posting_mode.value,
        **extra,
    }
