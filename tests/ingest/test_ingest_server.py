"""The ingest under uvicorn as served: slow headers, slow bodies and idle connections are cut
off, and a client that hangs up mid-body is not an application error."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import uvicorn

from connectors.erp.tryton_sandbox.subprocesses import free_port
from starter.ingest.auth import STORE_HEADER, TIMESTAMP_HEADER
from starter.ingest.server import server_config
from tests.ingest.stub_ingest import StubIntake, stub_app, stub_settings

CUT_OFF = 0.5


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@pytest.fixture
async def port(tmp_path: Path) -> AsyncIterator[int]:
    settings = stub_settings(
        tmp_path,
        ingest_port=free_port(),
        ingest_header_timeout_seconds=CUT_OFF,
        ingest_body_timeout_seconds=CUT_OFF,
        ingest_keep_alive_seconds=1,
    )
    server = _Server(server_config(stub_app(settings, StubIntake()), settings))
    serving = asyncio.create_task(server.serve())
    await _started(server)
    yield settings.ingest_port
    server.should_exit = True
    await serving


async def _started(server: uvicorn.Server) -> None:
    for _ in range(500):
        if server.started:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the ingest did not start")


async def _closed_after(reader: asyncio.StreamReader) -> tuple[float, bytes]:
    began = time.monotonic()
    received = await asyncio.wait_for(reader.read(), timeout=10)
    return time.monotonic() - began, received


async def test_headers_that_never_end_are_cut_off(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /v1/transactions HTTP/1.1\r\nHost: ingest\r\n")
    await writer.drain()

    waited, received = await _closed_after(reader)

    assert received == b"" and waited < CUT_OFF * 6
    writer.close()


async def _send_part_of_a_body(writer: asyncio.StreamWriter) -> None:
    """A signed POST's headers announcing 100 bytes of body, then its first 13 only."""
    writer.write(
        b"POST /v1/transactions HTTP/1.1\r\nHost: ingest\r\nContent-Length: 100\r\n"
        + f"{STORE_HEADER}: S001\r\n{TIMESTAMP_HEADER}: {int(time.time())}\r\n\r\n".encode()
        + b'{"transaction'
    )
    await writer.drain()


async def test_a_body_that_never_arrives_is_a_408(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _send_part_of_a_body(writer)

    _, received = await _closed_after(reader)

    assert received.startswith(b"HTTP/1.1 408 ")
    writer.close()


async def test_an_idle_connection_is_closed(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /nothing HTTP/1.1\r\nHost: ingest\r\n\r\n")
    await writer.drain()
    assert (await reader.readuntil(b"\r\n")).startswith(b"HTTP/1.1 404")

    waited, _ = await _closed_after(reader)

    assert waited < 6
    writer.close()


async def test_oversized_headers_are_refused(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: ingest\r\nX-Padding: " + b"x" * 64 * 1024 + b"\r\n\r\n")
    await writer.drain()

    _, received = await _closed_after(reader)

    assert received.startswith(b"HTTP/1.1 4")
    writer.close()


async def test_a_client_hanging_up_mid_body_is_not_an_application_error(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    await _send_part_of_a_body(writer)
    await asyncio.sleep(0.1)
    writer.close()
    await asyncio.sleep(CUT_OFF * 2)

    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert any("closed the connection" in record.getMessage() for record in caplog.records)
