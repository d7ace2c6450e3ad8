"""Serve the ingest with uvicorn, alone (``tillsync ingest``) or inside ``tillsync dev``.

A slow or idle client cannot hold a connection: its headers must arrive within
``ingest_header_timeout_seconds`` (uvicorn has no such timeout: ``_HeaderTimedProtocol``),
its body within ``ingest_body_timeout_seconds`` (``limits.read_body``, answered 408), and an
idle keep-alive connection closes after ``ingest_keep_alive_seconds``. Headers are capped at
``ingest_max_header_bytes``, connections and requests in flight at ``ingest_max_connections``
(503 beyond).
"""

import asyncio
import logging
from typing import Any

import uvicorn
from fastapi import FastAPI
from temporalio.client import Client
from uvicorn.protocols.http.h11_impl import H11Protocol

from domain.settings import Settings
from starter.ingest.app import create_app
from starter.ingest.auth import StoreSecrets
from starter.intake.stock_submission import StockSubmitter
from starter.intake.ticket_intake import Intake
from starter.serving import serve_until
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
    engine = create_store_engine(settings.resolved_store_url)
    intake = Intake(client, engine, settings.task_queue)
    stock = StockSubmitter(client, engine, settings.task_queue)
    return create_app(settings, client, intake, secrets, stock_submitter=stock, engine=engine)


class _HeaderTimedProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request headers are overdue."""

    header_timeout_seconds = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headers_due: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._expect_headers()

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            self._expect_headers()
        super().data_received(data)
        if self.cycle is not cycle:
            self._headers_arrived()

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_arrived()
        super().connection_lost(exc)

    def _expect_headers(self) -> None:
        if self._headers_due is None:
            self._headers_due = self.loop.call_later(
                self.header_timeout_seconds, self._headers_overdue
            )

    def _headers_arrived(self) -> None:
        if self._headers_due is not None:
            self._headers_due.cancel()
            self._headers_due = None

    def _headers_overdue(self) -> None:
        self._headers_due = None
        if not self.transport.is_closing():
            self.transport.close()


def server_config(app: FastAPI, settings: Settings) -> uvicorn.Config:
    protocol = type(
        "IngestHttpProtocol",
        (_HeaderTimedProtocol,),
        {"header_timeout_seconds": settings.ingest_header_timeout_seconds},
    )
    return uvicorn.Config(
        app,
        host=settings.ingest_host,
        port=settings.ingest_port,
        log_level="warning",
        access_log=False,
        http=protocol,
        timeout_keep_alive=settings.ingest_keep_alive_seconds,
        limit_concurrency=settings.ingest_max_connections,
        h11_max_incomplete_event_size=settings.ingest_max_header_bytes,
        timeout_graceful_shutdown=int(settings.ingest_body_timeout_seconds),
    )


async def serve_ingest(settings: Settings, client: Client, stop: asyncio.Event) -> None:
    """Serve until ``stop`` is set, then finish the requests in flight."""
    await serve_until(server_config(build_app(settings, client), settings), stop)
