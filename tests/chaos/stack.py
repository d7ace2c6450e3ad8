"""The embedded stack of a chaos run, each part a process of its own that can be killed: the
Temporal dev server on a database file, the sandbox Tryton (behind the fault proxy), the store
on a fresh PostgreSQL database, two workers and the ingest."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from connectors.erp.tryton_sandbox import TrytonServer, copy_database, ensure_template
from connectors.erp.tryton_sandbox.subprocesses import free_port, port_answers
from starter.devstack.temporal_server import search_attribute_args, temporal_binary
from tests.chaos.worker import ACTIVITY_LOG_VARIABLE
from tests.codec_keys import TEST_CODEC_KEYS
from tests.ingest.signing import SECRETS
from tests.sample_data import example_store

REPOSITORY = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = os.environ.get(
    "TILLSYNC_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
TASK_QUEUE = "tillsync-chaos"


def _spawn(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            command,
            cwd=REPOSITORY,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own: killed whole
        )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not port_answers("127.0.0.1", port):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing answers on port {port} after {seconds} s")
        time.sleep(0.2)


@dataclass
class WorkerProcess:
    number: int
    process: subprocess.Popen[bytes]
    activity_log: Path
    incarnation: int


@dataclass
class ChaosStack:
    folder: Path
    store_database: str = field(default_factory=lambda: f"tillsync_chaos_{uuid.uuid4().hex[:8]}")
    temporal_port: int = field(default_factory=free_port)
    ingest_port: int = field(default_factory=free_port)
    proxy_port: int = field(default_factory=free_port)
    temporal: subprocess.Popen[bytes] | None = None
    erp: TrytonServer | None = None
    ingest: subprocess.Popen[bytes] | None = None
    workers: dict[int, WorkerProcess] = field(default_factory=dict)

    @property
    def store_url(self) -> str:
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{self.store_database}"

    @property
    def erp_sqlite(self) -> Path:
        return self.folder / "erp" / "chaos.sqlite"

    def environment(self) -> dict[str, str]:
        assert self.erp is not None
        info = self.erp.info
        return {
            **os.environ,
            "TILLSYNC_DATA_DIR": str(self.folder / "data"),
            "TILLSYNC_TEMPORAL_ADDRESS": f"127.0.0.1:{self.temporal_port}",
            "TILLSYNC_TASK_QUEUE": TASK_QUEUE,
            "TILLSYNC_STORE_URL": self.store_url,
            "TILLSYNC_ERP_URL": f"http://127.0.0.1:{self.proxy_port}",
            "TILLSYNC_ERP_DATABASE": info.database,
            "TILLSYNC_ERP_API_KEY": info.api_key,
            "TILLSYNC_ERP_COMPANY_ID": str(info.company_id),
            "TILLSYNC_ERP_RPC_LOGIN": info.rpc_login,
            "TILLSYNC_ERP_RPC_PASSWORD": info.rpc_password,
            "TILLSYNC_ERP_POSTING_MODE": "daily",
            "TILLSYNC_CODEC_KEYS": TEST_CODEC_KEYS,
            "TILLSYNC_WORKER_METRICS_PORT": "0",
            "TILLSYNC_TEMPORAL_METRICS_PORT": "0",
            "TILLSYNC_HEALTH_REFRESH_SECONDS": "3600",
            "TILLSYNC_INGEST_PORT": str(self.ingest_port),
            "TILLSYNC_STORE_SECRETS": _secrets_json(),
            "TILLSYNC_INGEST_REQUESTS_PER_SECOND": "10000",
            "TILLSYNC_INGEST_BURST": "10000",
            "TILLSYNC_RECEIPT_GAP_GRACE_SECONDS": "86400",
        }

    def start_store(self) -> None:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.store_database}"'))
        admin.dispose()
        example_store(self.store_url).dispose()

    def drop_store(self) -> None:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(
                text(f'DROP DATABASE IF EXISTS "{self.store_database}" WITH (FORCE)')
            )
        admin.dispose()

    def start_erp(self) -> None:
        template = ensure_template(REPOSITORY / ".data" / "cache" / "erp-template")
        database = copy_database(template, self.folder / "erp", "chaos")
        self.erp = TrytonServer(database)
        self.erp.start()

    def start_temporal(self) -> None:
        command = [
            temporal_binary(),
            *("server", "start-dev", "--ip", "127.0.0.1", "--port", str(self.temporal_port)),
            *("--headless", "--db-filename", str(self.folder / "temporal.db")),
            *("--log-level", "warn"),
            *search_attribute_args(),
        ]
        self.temporal = _spawn(command, self.folder / "temporal.log", dict(os.environ))
        wait_for_port(self.temporal_port, 60)

    def kill_temporal(self) -> None:
        assert self.temporal is not None
        kill_group(self.temporal)

    def start_worker(self, number: int) -> WorkerProcess:
        incarnation = self.workers[number].incarnation + 1 if number in self.workers else 1
        activity_log = self.folder / f"worker-{number}.{incarnation}.activities"
        activity_log.touch()
        env = {**self.environment(), ACTIVITY_LOG_VARIABLE: str(activity_log)}
        process = _spawn(
            [sys.executable, "-m", "tests.chaos.worker"],
            self.folder / f"worker-{number}.log",
            env,
        )
        self.workers[number] = WorkerProcess(number, process, activity_log, incarnation)
        return self.workers[number]

    def start_ingest(self) -> None:
        self.ingest = _spawn(
            [sys.executable, "-m", "starter.cli", "ingest"],
            self.folder / "ingest.log",
            self.environment(),
        )
        wait_for_port(self.ingest_port, 60)

    def stop_all(self) -> None:
        for worker in self.workers.values():
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in self.workers.values():
            try:
                worker.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kill_group(worker.process)
        for process in (self.ingest, self.temporal):
            if process is not None:
                kill_group(process)
        if self.erp is not None:
            self.erp.stop()


def _secrets_json() -> str:
    return json.dumps({store: store_secret(store) for store in ("S001", "S002", "S404")})


def store_secret(store_id: str) -> str:
    return SECRETS.get(store_id, f"{store_id}-chaos-secret")
