"""Requests cancelled at any moment leave no connection behind (encode/httpcore#1093): not one
a server waits on for a request that never comes, not one the pool keeps for good."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from connectors.http_client import UntornClient

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"


@dataclass
class Server:
    """Answers each request on a connection of its own, ``delay`` seconds after reading it,
    and counts the connections on which no request has come (yet)."""

    url: str = ""
    delay: float = 0.0
    requests: int = 0
    waiting_for_a_request: int = 0
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        handler.add_done_callback(self._handlers.discard)
        self.waiting_for_a_request += 1
        try:
            await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return  # the client closed the connection without a request
        finally:
            self.waiting_for_a_request -= 1
        self.requests += 1
        await asyncio.sleep(self.delay)
        writer.write(ANSWER)
        await writer.drain()
        writer.close()

    def stop(self) -> None:
        for handler in list(self._handlers):
            handler.cancel()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()
    listening = await asyncio.start_server(state.serve, "127.0.0.1", 0)
    state.url = f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}"
    async with listening:
        yield state
        state.stop()


async def _cancel_at_every_step(client: httpx.AsyncClient, steps: int) -> None:
    """A request cancelled after 0, 1, ... ``steps`` - 1 turns of the loop: before it connects,
    once connected, while it is sent, while the answer is read, and after."""
    for turns in range(steps):
        request = asyncio.create_task(client.get("/"))
        for _ in range(turns):
            await asyncio.sleep(0)
        request.cancel()
        await asyncio.gather(request, return_exceptions=True)
    await asyncio.sleep(0.5)  # what was left to finish, finishes


def _connections_held(client: httpx.AsyncClient) -> int:
    return len(client._transport._pool.connections)  # type: ignore[attr-defined]


async def test_cancelled_requests_leave_no_connection_behind(server: Server) -> None:
    async with UntornClient(base_url=server.url, timeout=5) as client:
        await _cancel_at_every_step(client, 60)

        assert server.waiting_for_a_request == 0
        assert _connections_held(client) == 0
        assert client.abandoned == 0
        assert (await client.get("/")).status_code == 200


async def test_httpx_alone_leaves_connections_behind(server: Server) -> None:
    """What the client is for: the check above fails without it."""
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
        await _cancel_at_every_step(client, 60)

        assert server.waiting_for_a_request > 0
        assert _connections_held(client) > 0


async def test_a_cancelled_caller_returns_at_once_and_its_request_is_answered(
    server: Server,
) -> None:
    server.delay = 0.5
    async with UntornClient(base_url=server.url, timeout=5) as client:
        request = asyncio.create_task(client.get("/"))
        await asyncio.sleep(0.1)
        request.cancel()
        await asyncio.gather(request, return_exceptions=True)

        assert request.cancelled() and client.abandoned == 1
        await asyncio.sleep(0.8)
        assert server.requests == 1
        assert client.abandoned == 0 and _connections_held(client) == 0


async def test_closing_the_client_ends_the_requests_nobody_waits_for(server: Server) -> None:
    server.delay = 60
    client = UntornClient(base_url=server.url, timeout=120)
    request = asyncio.create_task(client.get("/"))
    await asyncio.sleep(0.1)
    request.cancel()
    await asyncio.gather(request, return_exceptions=True)

    await asyncio.wait_for(client.aclose(), 2)

    await asyncio.sleep(0)
    assert client.abandoned == 0 and _connections_held(client) == 0
