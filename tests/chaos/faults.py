"""Injecting the schedule's faults into a running stack, and counting what was injected."""

import asyncio
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.chaos.proxy import ProxyFaults
from tests.chaos.schedule import (
    ERP_DOWN,
    ERP_FLAKY,
    POSTGRES_DROP,
    TEMPORAL_RESTART,
    WORKER_KILL,
    Fault,
    kill_armed,
)
from tests.chaos.stack import POSTGRES_ADMIN_URL, ChaosStack, WorkerProcess

KILL_WAIT_SECONDS = 600
"""how long a kill waits for its step to be in flight before it is reported missed (a
return books once its original is journaled, which under the faults may be minutes)"""


class InFlight:
    """Activity types started and not ended in one worker process, read from its activity
    log as it grows."""

    def __init__(self, activity_log: Path) -> None:
        self._log = activity_log
        self._offset = 0
        self._running: dict[str, str] = {}

    def kinds(self) -> Counter[str]:
        with self._log.open("rb") as log:
            log.seek(self._offset)
            chunk = log.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        for line in complete.decode().splitlines():
            parts = line.split(" ")
            if len(parts) < 5:
                continue  # a line the kill cut short
            _, event, kind, attempt, activity_id, *workflow = parts
            key = f"{' '.join(workflow)}/{activity_id}/{attempt}"
            if event == "start":
                self._running[key] = kind
            else:
                self._running.pop(key, None)
        return Counter(self._running.values())


def retries(logs: list[Path]) -> int:
    """Activity attempts beyond the first, over every worker process's log."""
    count = 0
    for log in logs:
        for line in log.read_text().splitlines():
            parts = line.split(" ")
            if len(parts) >= 5 and parts[1] == "start" and parts[3].isdigit():
                count += int(parts[3]) > 1
    return count


@dataclass
class Injected:
    by_kind: Counter[str] = field(default_factory=Counter)
    kills_by_step: Counter[str] = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    postgres_backends_terminated: int = 0
    last_fault_ended: float = 0.0


class Injector:
    def __init__(self, stack: ChaosStack, proxy: ProxyFaults) -> None:
        self._stack = stack
        self._proxy = proxy
        self.injected = Injected()
        self.activity_logs: list[Path] = [w.activity_log for w in stack.workers.values()]
        self._watches: dict[Path, InFlight] = {}

    async def inject(self, fault: Fault) -> None:
        if fault.kind == WORKER_KILL:
            await self.kill_worker_in(fault.step)
        elif fault.kind == ERP_DOWN:
            await self._erp_down(fault.seconds)
        elif fault.kind == ERP_FLAKY:
            await self._erp_flaky(fault.seconds)
        elif fault.kind == TEMPORAL_RESTART:
            await asyncio.to_thread(self._temporal_restart)
        elif fault.kind == POSTGRES_DROP:
            self.injected.postgres_backends_terminated += await asyncio.to_thread(self._pg_drop)
        else:
            raise ValueError(f"unknown fault {fault.kind}")
        if fault.kind != WORKER_KILL:
            self.injected.by_kind[fault.kind] += 1
        self.injected.last_fault_ended = time.monotonic()

    async def kill_worker_in(self, step: str) -> None:
        """SIGKILL the worker process running ``step`` now (the supervisor starts it again):
        one seen running it, or the next to start it, which kills itself mid-call (a step of
        milliseconds is rarely seen in flight)."""
        armed = self.activity_logs[0].parent / kill_armed(step)
        armed.touch()
        deadline = time.monotonic() + KILL_WAIT_SECONDS
        while time.monotonic() < deadline:
            victim = self._running(step)
            if victim is not None or not armed.exists():
                armed.unlink(missing_ok=True)
                if victim is not None:
                    victim.process.send_signal(signal.SIGKILL)
                    await asyncio.to_thread(victim.process.wait, 30)
                self.injected.kills_by_step[step] += 1
                self.injected.by_kind[WORKER_KILL] += 1
                return
            await asyncio.sleep(0.05)
        armed.unlink(missing_ok=True)
        self.injected.missed.append(step)

    def _running(self, step: str) -> WorkerProcess | None:
        for worker in self._stack.workers.values():
            watch = self._watches.setdefault(worker.activity_log, InFlight(worker.activity_log))
            if worker.process.poll() is None and watch.kinds()[step]:
                return worker
        return None

    def restart_worker(self, number: int) -> None:
        worker = self._stack.start_worker(number)
        self.activity_logs.append(worker.activity_log)

    def restart_dead_workers(self) -> None:
        """Start again a worker that was killed, or that exited because it started while
        Temporal was down."""
        for number, worker in list(self._stack.workers.items()):
            if worker.process.poll() is not None:
                self.restart_worker(number)

    async def _erp_down(self, seconds: float) -> None:
        """Stopped, then started again unless the run was stopped meanwhile."""
        erp = self._stack.erp
        assert erp is not None
        await asyncio.to_thread(erp.stop)
        await asyncio.sleep(seconds)
        await asyncio.to_thread(erp.start)

    async def _erp_flaky(self, seconds: float) -> None:
        self._proxy.error_share, self._proxy.timeout_share = 0.15, 0.05
        try:
            await asyncio.sleep(seconds)
        finally:
            self._proxy.clear()

    def _temporal_restart(self) -> None:
        self._stack.kill_temporal()
        time.sleep(3)
        self._stack.start_temporal()

    def _pg_drop(self) -> int:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": self._stack.store_database},
                ).all()
        finally:
            admin.dispose()
        return len(rows)
