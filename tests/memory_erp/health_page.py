"""The sync-health page served for the browser tests: on the memory-ERP stack of the session,
for a store of its own (S-HEALTH: its bulk actions touch no other test's runs), with three
operators (store ops, finance, IT) and erp_rejected owned by finance (a configured owner)."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import uvicorn
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.memory import MemoryErp
from domain.mapping import MappingRow
from domain.outcomes import ExceptionKind, ExceptionOwner
from domain.periods import DateRange
from domain.reconciliation import ReconciliationReport
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.health_page.app import create_app
from starter.health_page.auth import Operators
from starter.health_page.passwords import hash_password
from store.db import session_scope
from store.mappings import import_mappings

STORE = "S-HEALTH"
PASSWORD = "correct horse battery"
OPERATORS = {"sam": ["store_ops"], "fiona": ["finance"], "ivan": ["it"]}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def page_settings(base: Settings) -> Settings:
    return base.model_copy(
        update={"exception_owners": {ExceptionKind.ERP_REJECTED: ExceptionOwner.FINANCE}}
    )


def operators() -> Operators:
    digest = hash_password(PASSWORD)
    return Operators.from_settings(
        Settings(
            health_users="{"
            + ",".join(
                f'"{name}": {{"password_hash": "{digest}", "roles": {roles!r}}}'.replace("'", '"')
                for name, roles in OPERATORS.items()
            )
            + "}"
        )
    )


def map_store(engine: Engine, store_id: str = STORE) -> None:
    with session_scope(engine) as session:
        row = MappingRow(kind="location", store_id=store_id, erp_code="WH-LON")
        import_mappings(session, [row])


def with_stated_gross(txn: PosTransaction, gross: str) -> PosTransaction:
    """The ticket as a till with a totals defect sends it: a gross its lines do not give."""
    payload = txn.model_dump(mode="json")
    payload["totals"]["gross"] = gross
    payload["tenders"][0]["amount"] = gross
    return PosTransaction.model_validate(payload)


@dataclass
class ServedPage:
    url: str
    settings: Settings


@contextlib.asynccontextmanager
async def served_page(
    settings: Settings, client: Client, engine: Engine, erp: MemoryErp
) -> AsyncIterator[ServedPage]:
    async def reconcile(day: date, store_id: str | None) -> ReconciliationReport:
        from activities.finance import build_reconciliation

        return await build_reconciliation(
            engine, erp, DateRange(start_date=day, end_date=day), store_id
        )

    app = create_app(settings, client, engine, reconcile, operators())
    # Listening before uvicorn starts: the first request waits in the backlog, not refused.
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(64)
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        yield ServedPage(url=f"http://127.0.0.1:{port}", settings=settings)
    finally:
        server.should_exit = True
        await serving
        listening.close()
