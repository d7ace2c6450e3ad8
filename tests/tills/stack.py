"""A tillsync worker for the tills' tests: its own task queue and store, the demo's mappings,
an ERP connector of the test's choosing, and store S001's webhook pointing at a local
receiver; plus the ingest app, to pull the feeds as a till does."""

import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.base import ErpBooks, ErpConnector
from connectors.erp.factory import create_erp
from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from connectors.tills.secrets import StoreSecrets
from domain.periods import PostingMode
from domain.settings import Settings, StoreChannel
from starter.ingest.app import create_app
from starter.intake.ticket_intake import Intake
from tests.erp_fixtures import sandbox_settings
from tests.ingest.signing import SECRETS, get_signed
from worker import build_worker

STORE = "S001"
PRICE_LIST = "London"


def tills_settings(data_dir: Path, task_queue: str, webhook_url: str, **overrides: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        store_url=f"sqlite:///{data_dir / 'store.db'}",
        task_queue=task_queue,
        store_secrets=SecretStr(json.dumps(SECRETS)),
        max_concurrent_activities=16,
        store_channels={
            STORE: StoreChannel(webhook_url=webhook_url, price_list=PRICE_LIST),
        },
        **overrides,
    )


def tryton_tills_settings(
    data_dir: Path,
    erp: TrytonSandboxInfo,
    task_queue: str,
    webhook_url: str,
    mode: PostingMode = PostingMode.PER_TRANSACTION,
    **overrides: Any,
) -> Settings:
    """``tills_settings`` on the sandbox Tryton, booking in ``mode``."""
    sandbox = sandbox_settings(data_dir, erp, task_queue, erp_posting_mode=mode)
    erp_fields = {
        "erp_url",
        "erp_database",
        "erp_api_key",
        "erp_company_id",
        "erp_rpc_login",
        "erp_rpc_password",
        "erp_posting_mode",
    }
    return tills_settings(
        data_dir, task_queue, webhook_url, **sandbox.model_dump(include=erp_fields), **overrides
    )


@asynccontextmanager
async def tryton_tills_worker(client: Client, settings: Settings) -> AsyncIterator[None]:
    """``tills_worker`` on the ERP of ``settings`` (its connector closed after)."""
    connector, books = create_erp(settings)
    try:
        async with tills_worker(client, settings, connector, books):
            yield
    finally:
        await connector.aclose()
        await books.aclose()


@asynccontextmanager
async def tills_worker(
    client: Client, settings: Settings, connector: ErpConnector, books: ErpBooks
) -> AsyncIterator[None]:
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(client, settings, connector, books, executor):
            yield


@asynccontextmanager
async def till_http(
    client: Client, settings: Settings, engine: Engine
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings,
        client,
        Intake(client, engine, settings.task_queue),
        StoreSecrets.from_settings(settings),
        engine=engine,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as http:
        yield http


async def pull(http: httpx.AsyncClient, path: str, store_id: str = STORE) -> Any:
    response = await get_signed(http, path, store_id)
    assert response.status_code == 200, response.text
    return response.json()
