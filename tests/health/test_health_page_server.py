"""The page inside ``tillsync dev``: a port already taken costs the page, not the stack."""

import asyncio
import logging
import socket
from pathlib import Path
from typing import cast

import pytest
from temporalio.client import Client

from domain.settings import Settings
from starter.health_page.server import serve_health_page


async def test_a_taken_port_leaves_the_stack_running(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings(data_dir=tmp_path, health_port=port)
        with caplog.at_level(logging.ERROR, logger="starter.health_page.server"):
            async with asyncio.timeout(30):
                await serve_health_page(settings, cast(Client, None), asyncio.Event())
    assert "could not start" in caplog.text
