"""Serving an HTTP app of tillsync's (the ingest, the sync-health page, the codec server) under
uvicorn inside a process that decides when to stop: ``tillsync dev`` or the app's own command."""

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import uvicorn


class EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the host process decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_until(
    config: uvicorn.Config,
    stop: asyncio.Event,
    serve: Callable[[uvicorn.Server], Coroutine[Any, Any, None]] | None = None,
) -> None:
    """Serve until ``stop`` is set, then finish the requests in flight. ``serve``: how to run
    the server (default ``server.serve()``)."""
    server = EmbeddedServer(config)
    serving = asyncio.create_task(serve(server) if serve else server.serve())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopping.cancel()
    await serving
