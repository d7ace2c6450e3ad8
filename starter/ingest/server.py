"""Serve the ingest with uvicorn, alone (``tillsync ingest``) or inside ``tillsync dev``."""

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI
from temporalio.client import Client

from domain.settings import Settings
from starter.ingest.app import create_app
from starter.ingest.auth import StoreSecrets
from starter.intake import Intake
from store.db import create_store_engine

log = logging.getLogger(__name__)


def build_app(settings: Settings, client: Client) -> FastAPI:
    """The ingest app on the configured store, secrets and limits."""
    secrets = StoreSecrets.from_settings(settings)
    if not secrets.stores:
        log.warning(
            "no store secrets configured (TILLSYNC_STORE_SECRETS or"
            " TILLSYNC_INGEST_SECRETS_FILE): every POST will be refused"
        )
    intake = Intake(client, create_store_engine(settings.resolved_store_url), settings.task_queue)
    return create_app(settings, client, intake, secrets)


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the host process decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_ingest(settings: Settings, client: Client, stop: asyncio.Event) -> None:
    """Serve until ``stop`` is set, then finish the requests in flight."""
    config = uvicorn.Config(
        build_app(settings, client),
        host=settings.ingest_host,
        port=settings.ingest_port,
        log_level="warning",
        access_log=False,
    )
    server = _EmbeddedServer(config)
    serving = asyncio.create_task(server.serve())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopping.cancel()
    await serving
