"""The servers the stack runs as child processes (trytond, the Temporal dev server): started,
waited for until they answer, and stopped whole."""

import sys
from pathlib import Path

import pytest

from connectors.erp.tryton_sandbox.subprocesses import ServerProcesses, free_port, port_answers
from starter.devstack.temporal_server import TemporalDevServer
from tests.codec_keys import codec_converter


def test_a_server_is_ready_once_its_port_answers_and_stops_whole(tmp_path: Path) -> None:
    port = free_port()
    server = ServerProcesses("http.server", tmp_path / "logs" / "http.log")
    server.spawn([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"])
    server.wait_until(lambda: port_answers("127.0.0.1", port), timeout=30)
    assert server.running
    server.stop()
    assert not server.running and not port_answers("127.0.0.1", port)


def test_a_server_that_exits_while_starting_names_its_log(tmp_path: Path) -> None:
    server = ServerProcesses("a failing server", tmp_path / "failing.log")
    server.spawn([sys.executable, "-c", "import sys; print('no config'); sys.exit(3)"])
    with pytest.raises(RuntimeError, match=r"a failing server exited while starting; see .*"):
        server.wait_until(lambda: False, timeout=30)
    assert "no config" in (tmp_path / "failing.log").read_text()


def test_a_server_that_never_answers_is_stopped(tmp_path: Path) -> None:
    server = ServerProcesses("a silent server", tmp_path / "silent.log")
    server.spawn([sys.executable, "-c", "import time; time.sleep(60)"])
    with pytest.raises(TimeoutError, match="a silent server did not answer"):
        server.wait_until(lambda: False, timeout=0.5)
    assert not server.running


@pytest.mark.temporal
async def test_the_temporal_dev_server_answers_a_client_then_stops(tmp_path: Path) -> None:
    port, ui_port = free_port(), free_port()
    async with TemporalDevServer(
        tmp_path / "temporal.db", data_converter=codec_converter(), port=port, ui_port=ui_port
    ) as server:
        client = await server.start()
        assert (await client.count_workflows()).count == 0, "a fresh server"
    assert not port_answers("127.0.0.1", port)
