"""The worker process (worker.py's run_worker) with an activity log: a line as each activity
starts and ends, from which the chaos run learns what is in flight in which process, so it can
SIGKILL a worker in the middle of a given kind of step.

    python -m tests.chaos.worker   # TILLSYNC_* as for worker.py, CHAOS_ACTIVITY_LOG=<file>
"""

import asyncio
import inspect
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from connectors.temporal.client import connect
from domain.settings import Settings
from tests.chaos.schedule import kill_armed
from worker import configure_logging, exit_without_teardown, run_worker

ACTIVITY_LOG_VARIABLE = "CHAOS_ACTIVITY_LOG"


class ActivityLog(Interceptor):
    """Writes ``<time> start|end <activity type> <attempt> <activity id> <workflow id>``."""

    def __init__(self, path: Path) -> None:
        self._folder = path.parent
        self._file = path.open("a", buffering=1)
        self._lock = threading.Lock()

    def write(self, event: str) -> None:
        info = activity.info()
        line = (
            f"{time.time():.3f} {event} {info.activity_type} {info.attempt}"
            f" {info.activity_id} {info.workflow_id}"
        )
        with self._lock:
            self._file.write(line + "\n")

    def die_if_armed(self) -> None:
        """SIGKILL this worker mid-call when the injector armed a kill for this activity type
        (``kill_armed``): the first worker to claim the arming dies, the others go on."""
        armed = self._folder / kill_armed(activity.info().activity_type)
        try:
            armed.unlink()
        except FileNotFoundError:
            return
        os.kill(os.getpid(), signal.SIGKILL)

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Logged(next, self)


class _Logged(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, log: ActivityLog) -> None:
        super().__init__(next)
        self._log = log

    def execute_activity(self, input: ExecuteActivityInput) -> Any:
        # A synchronous activity is run in its thread and returns its result; an async one
        # returns a coroutine, ended when awaited.
        self._log.write("start")
        self._log.die_if_armed()
        try:
            result = super().execute_activity(input)
        except BaseException:
            self._log.write("end")
            raise
        if not inspect.isawaitable(result):
            self._log.write("end")
            return result
        return self._ending(result)

    async def _ending(self, result: Any) -> Any:
        try:
            return await result
        finally:
            self._log.write("end")


async def _main() -> None:
    configure_logging()
    settings = Settings()
    log = ActivityLog(Path(os.environ[ACTIVITY_LOG_VARIABLE]))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await run_worker(settings, await connect(settings), stop, [log])


if __name__ == "__main__":
    asyncio.run(_main())
    exit_without_teardown(0)
