"""Session fixtures for tests against the sandbox Tryton ERP.

Registered from tests/conftest.py with ``pytest_plugins = ["tests.erp_fixtures"]``. The template
database is built once and cached (under ``$TILLSYNC_DATA_DIR/cache/erp-template``, default
``.data/cache/erp-template``); every session runs its own copy on a free port.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton_sandbox import (
    TrytonSandboxInfo,
    TrytonServer,
    copy_database,
    ensure_template,
)
from domain.settings import Settings

_REPOSITORY = Path(__file__).resolve().parents[1]


def erp_template_cache_dir() -> Path:
    data_dir = Path(os.environ.get("TILLSYNC_DATA_DIR", _REPOSITORY / ".data"))
    return data_dir / "cache" / "erp-template"


@pytest.fixture(scope="session")
async def tryton_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[TrytonServer]:
    """The sandbox ERP, running for the whole session (tests may stop and restart it)."""
    template = await asyncio.to_thread(ensure_template, erp_template_cache_dir())
    database = copy_database(template, tmp_path_factory.mktemp("erp"), "tillsync")
    async with TrytonServer(database) as server:
        yield server


@pytest.fixture(scope="session")
def erp_sandbox(tryton_server: TrytonServer) -> TrytonSandboxInfo:
    return tryton_server.info


@pytest.fixture
async def tryton_connector(erp_sandbox: TrytonSandboxInfo) -> AsyncIterator[TrytonConnector]:
    connector = TrytonConnector(
        erp_sandbox.url,
        erp_sandbox.database,
        erp_sandbox.api_key,
        erp_sandbox.company_id,
        rpc_login=erp_sandbox.rpc_login,
        rpc_password=erp_sandbox.rpc_password,
    )
    yield connector
    await connector.aclose()


@pytest.fixture
async def tryton_rest(erp_sandbox: TrytonSandboxInfo) -> AsyncIterator[TrytonRest]:
    """Direct REST access, for tests that inspect what the connector booked."""
    rest = TrytonRest(
        erp_sandbox.url, erp_sandbox.database, erp_sandbox.api_key, erp_sandbox.company_id
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
    """Settings for a tillsync stack on the sandbox ERP, with its own store in ``data_dir``."""
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
