"""Run trytond on a sandbox database as a child process."""

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx

from connectors.erp.tryton_sandbox.database import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    read_sandbox_facts,
)
from connectors.erp.tryton_sandbox.info import TrytonSandboxInfo
from connectors.erp.tryton_sandbox.trytond_config import write_trytond_config

_HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class TrytonServer:
    """trytond serving one SQLite database file on 127.0.0.1.

    The port is chosen once, so ``stop`` then ``start`` brings the ERP back at the same URL
    (tests use this to simulate an outage). The server log goes next to the database file.
    """

    def __init__(
        self, database_file: Path, *, port: int | None = None, startup_timeout: float = 60.0
    ) -> None:
        self.database = database_file.stem
        self.port = port or free_port()
        self._data_dir = database_file.parent
        self._startup_timeout = startup_timeout
        facts = read_sandbox_facts(database_file)
        self.api_key = facts.api_key
        self.company_id = facts.company_id
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{_HOST}:{self.port}"

    @property
    def info(self) -> TrytonSandboxInfo:
        return TrytonSandboxInfo(
            url=self.url,
            database=self.database,
            api_key=self.api_key,
            company_id=self.company_id,
            rpc_login=ADMIN_LOGIN,
            rpc_password=ADMIN_PASSWORD,
        )

    @property
    def log_file(self) -> Path:
        return self._data_dir / f"{self.database}.trytond.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start trytond and return once it answers REST requests."""
        if self.running:
            return
        config_file = write_trytond_config(
            self._data_dir / f"{self.database}.trytond.conf",
            self._data_dir,
            listen=f"{_HOST}:{self.port}",
        )
        self._log = self.log_file.open("ab")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "trytond.cli",
                "--config",
                str(config_file),
                "--database",
                self.database,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_answering()

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate trytond (kill it if it does not exit within ``timeout`` seconds)."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def _wait_until_answering(self) -> None:
        probe = f"{self.url}/{self.database}/rest/model/company.company/{self.company_id}?f=id"
        headers = {"Authorization": f"Bearer {self.api_key}"}
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if not self.running:
                self.stop()
                raise RuntimeError(f"trytond exited while starting; see {self.log_file}")
            try:
                if httpx.get(probe, headers=headers, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"trytond did not answer within {self._startup_timeout} s")

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)
