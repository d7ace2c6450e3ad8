"""Run trytond on a sandbox database as child processes.

gunicorn serves ``trytond.application:app``. By default from one process that answers one
request at a time, with queued tasks run inline: the embedded stack and the default tests. On
SQLite that is not a choice: trytond takes no row locks there (locking a sale to process it is
a no-op) and a transaction takes SQLite's write lock only at its first write, so two requests
processing one sale at once both read it unprocessed and both create its shipments (its goods
moved twice); one request at a time is how SQLite serves writers anyway. As production runs it:
``processes`` worker processes, and with ``queue_worker`` trytond-worker running the queued
tasks (sale processing, invoice printing) off the request; PostgreSQL's locks keep them apart.
"""

import asyncio
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

from connectors.erp.tryton_sandbox.database import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    SandboxDatabase,
    read_sandbox_facts,
)
from connectors.erp.tryton_sandbox.info import TrytonSandboxInfo
from connectors.erp.tryton_sandbox.subprocesses import ServerProcesses, free_port
from connectors.erp.tryton_sandbox.trytond_config import write_trytond_config

_HOST = "127.0.0.1"
_QUEUE_PROCESSES = 2  # trytond-worker's pool of task-running processes
_REQUEST_TIMEOUT = 300  # gunicorn restarts a worker silent for longer


class TrytonServer:
    """trytond serving one sandbox database on 127.0.0.1.

    ``database``: a SQLite database file, or a ``SandboxDatabase`` (``postgres_sandbox`` makes
    one on PostgreSQL). ``processes``: serve from that many gunicorn worker processes (default
    one; see the module docstring). ``queue_worker`` (PostgreSQL only): run trytond-worker.

    The port is chosen once, so ``stop`` then ``start`` brings the ERP back at the same URL
    (tests use this to simulate an outage). Each process runs in a process group of its own,
    which ``stop`` ends whole. The server log goes to the database's folder.
    """

    def __init__(
        self,
        database: Path | SandboxDatabase,
        *,
        port: int | None = None,
        processes: int | None = None,
        queue_worker: bool = False,
        startup_timeout: float = 60.0,
    ) -> None:
        self._database = (
            database if isinstance(database, SandboxDatabase) else SandboxDatabase.sqlite(database)
        )
        if queue_worker and not self._database.on_postgresql:
            raise ValueError("trytond-worker needs PostgreSQL (it waits on its channels)")
        if processes is not None and processes < 1:
            raise ValueError(f"processes must be at least 1, not {processes}")
        self.database = self._database.name
        self.port = port or free_port()
        self.processes = processes
        self.queue_worker = queue_worker
        self._startup_timeout = startup_timeout
        facts = read_sandbox_facts(self._database)
        self.api_key = facts.api_key
        self.company_id = facts.company_id
        self._server = ServerProcesses("trytond", self.log_file)

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
        return self._database.data_dir / f"{self.database}.trytond.log"

    @property
    def running(self) -> bool:
        return self._server.running

    def start(self) -> None:
        """Start trytond (and its queue worker) and return once it answers REST requests."""
        if self.running:
            return
        self.stop()  # what is left of a run whose process died
        data_dir = self._database.data_dir
        config_file = write_trytond_config(
            data_dir / f"{self.database}.trytond.conf",
            data_dir,
            listen=f"{_HOST}:{self.port}",
            uri=self._database.uri,
            queue_worker=self.queue_worker,
        )
        self._spawn(
            "gunicorn",
            *("--bind", f"{_HOST}:{self.port}", "--workers", str(self.processes or 1)),
            # gunicorn's sync workers: one request at a time each.
            *("--worker-class", "sync", "--timeout", str(_REQUEST_TIMEOUT)),
            # trytond.application loads the database's pool once, before the fork (it checks
            # that no thread runs then): the workers start in a fraction of the time.
            *("--graceful-timeout", "2", "--preload", "--no-control-socket"),
            *("--error-logfile", "-", "trytond.application:app"),
            env={"TRYTOND_CONFIG": str(config_file), "TRYTOND_DATABASE_NAMES": self.database},
        )
        if self.queue_worker:
            config = ["--config", str(config_file), "--database", self.database]
            self._spawn("trytond.cli.worker", *config, "-n", str(_QUEUE_PROCESSES))
        self._wait_until_answering()

    def stop(self, timeout: float = 10.0) -> None:
        """End every process (killed if it does not exit within ``timeout`` seconds)."""
        self._server.stop(timeout)

    def _spawn(self, module: str, *arguments: str, env: dict[str, str] | None = None) -> None:
        environment = {**os.environ, **env} if env else None
        self._server.spawn([sys.executable, "-m", module, *arguments], environment)

    def _wait_until_answering(self) -> None:
        probe = f"{self.url}/{self.database}/rest/model/company.company/{self.company_id}?f=id"
        headers = {"Authorization": f"Bearer {self.api_key}"}

        def answers() -> bool:
            try:
                return httpx.get(probe, headers=headers, timeout=1.0).status_code == 200
            except httpx.TransportError:
                return False

        self._server.wait_until(answers, self._startup_timeout)

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
