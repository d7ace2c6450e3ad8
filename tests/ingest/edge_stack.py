"""One tillsync stack for the ingest's edge cases (tests/ingest/test_edge_cases_on_the_stack.py):
the real Temporal dev server, a worker on a memory ERP per way of treating a customer the ERP
does not know (sharing the ERP, the store and the rejects file), and an ingest app for each."""

import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.memory import MemoryErp
from domain.mapping import MappingKind, MappingRow
from domain.periods import PostingMode
from domain.settings import Settings, UnknownCustomer
from starter.ingest.server import build_app
from tests.ingest.signing import SECRETS, post_signed
from tests.ingest.stub_ingest import recorded_rejects
from tests.sample_data import demo_memory_erp, example_store
from worker import build_worker

OTHER_STORE = "S001-X"
"""A store whose id, with a terminal's, once made the same workflow id as store S001's."""
STACK_SECRETS = SECRETS | {OTHER_STORE: "s001-x-till-secret"}


@dataclass
class Stack:
    client: Client
    erp: MemoryErp
    engine: Engine
    settings: dict[UnknownCustomer, Settings]
    apps: dict[UnknownCustomer, FastAPI]

    async def post(
        self,
        body: bytes,
        *,
        store_id: str = "S001",
        batch: bool = False,
        mode: UnknownCustomer = UnknownCustomer.CASH_SALE,
        app: FastAPI | None = None,
    ) -> httpx.Response:
        path = "/v1/transactions:batch" if batch else "/v1/transactions"
        transport = httpx.ASGITransport(app=app or self.apps[mode])
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as http:
            return await post_signed(http, path, body, store_id, secret=STACK_SECRETS[store_id])

    def rejects(self) -> list[dict[str, Any]]:
        return recorded_rejects(self.settings[UnknownCustomer.CASH_SALE])


@asynccontextmanager
async def edge_stack(client: Client, data_dir: Path) -> AsyncIterator[Stack]:
    base = Settings(
        data_dir=data_dir,
        store_url=f"sqlite:///{data_dir / 'store.db'}",
        erp_kind="memory",
        erp_posting_mode=PostingMode.PER_TRANSACTION,
        erp_batch_window_ms=5,
        max_concurrent_activities=4,
        store_secrets=SecretStr(json.dumps(STACK_SECRETS)),
        # Room for a 10,000-line ticket to reach validation (the default answers 413 first).
        ingest_max_body_bytes=8 * 1024 * 1024,
    )
    settings = {
        mode: base.model_copy(
            update={"task_queue": f"tillsync-ingest-edges-{mode}", "unknown_customer": mode}
        )
        for mode in UnknownCustomer
    }
    other_store = MappingRow(kind=MappingKind.LOCATION, store_id=OTHER_STORE, erp_code="WH-LON")
    engine = example_store(base.resolved_store_url, [other_store])
    erp = demo_memory_erp(on_hand=Decimal(100_000))  # the largest ticket takes 1,000 teas
    async with AsyncExitStack() as workers:
        workers.callback(engine.dispose)
        for mode_settings in settings.values():
            executor = workers.enter_context(ThreadPoolExecutor(max_workers=4))
            await workers.enter_async_context(
                build_worker(client, mode_settings, erp, erp, executor=executor)
            )
        apps = {mode: build_app(mode_settings, client) for mode, mode_settings in settings.items()}
        yield Stack(client, erp, engine, settings, apps)
