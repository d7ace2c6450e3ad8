"""Serve the sync-health page with uvicorn, inside ``tillsync dev`` (or on its own)."""

import asyncio
import logging
from datetime import date

import uvicorn
from temporalio.client import Client

from domain.reconciliation import ReconciliationReport
from domain.settings import Settings
from starter.health_page.app import create_app
from starter.health_page.auth import Operators
from starter.serving import serve_until
from store.db import create_store_engine

log = logging.getLogger(__name__)


def page_url(settings: Settings) -> str:
    local = settings.health_host in ("127.0.0.1", "0.0.0.0", "::")
    return f"http://{'localhost' if local else settings.health_host}:{settings.health_port}/"


async def _serve(server: uvicorn.Server, url: str) -> None:
    """uvicorn exits the process when it cannot listen (the port is taken): the stack it is
    part of carries on without the page instead."""
    try:
        await server.serve()
    except SystemExit:
        log.error("the sync-health page could not start on %s (is the port taken?)", url)


async def serve_health_page(settings: Settings, client: Client, stop: asyncio.Event) -> None:
    """Serve until ``stop`` is set."""
    from starter.reports.reconciliation import reconcile_day

    async def reconcile(day: date, store_id: str | None) -> ReconciliationReport:
        return await reconcile_day(settings, day, store_id)

    operators = Operators.from_settings(settings)
    if not len(operators):
        log.warning(
            "no operators configured (TILLSYNC_HEALTH_USERS or TILLSYNC_HEALTH_USERS_FILE):"
            " the sync-health page refuses everyone"
        )
    engine = create_store_engine(settings.resolved_store_url)
    app = create_app(settings, client, engine, reconcile, operators)
    config = uvicorn.Config(
        app,
        host=settings.health_host,
        port=settings.health_port,
        log_level="warning",
        access_log=False,
    )
    await serve_until(config, stop, lambda server: _serve(server, page_url(settings)))
