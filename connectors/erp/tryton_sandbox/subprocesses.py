"""Running a Python module of this environment as a child process, and servers (trytond, the
Temporal dev server) as child processes in process groups of their own: start them, wait until
they answer, stop them whole."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO


def run_python_module(module: str, *arguments: str, env: dict[str, str] | None = None) -> None:
    """Run ``python -m module arguments``; raise with the tail of its output if it fails."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"python -m {module} exited with {completed.returncode}:\n{completed.stdout[-4000:]}"
        )


def _start_group(
    command: Sequence[str], log: IO[bytes], env: dict[str, str] | None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(command), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_process_group(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM ``process``'s group; SIGKILL what is left of it after ``timeout`` seconds."""
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        _signal_group(process.pid, signal.SIGKILL)
        process.wait()
    # Children that outlived their leader (a worker pool's processes) go with it.
    _signal_group(process.pid, signal.SIGKILL)


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (for a server about to start)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def port_answers(host: str, port: int) -> bool:
    """Whether something accepts connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


class ServerProcesses:
    """The child processes of one server, their output appended to ``log_file``. Each leads a
    process group of its own, which ``stop`` ends whole (children included)."""

    def __init__(self, name: str, log_file: Path) -> None:
        self.name = name
        self.log_file = log_file
        self._processes: list[subprocess.Popen[bytes]] = []
        self._log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return bool(self._processes) and all(p.poll() is None for p in self._processes)

    def spawn(self, command: Sequence[str], env: dict[str, str] | None = None) -> None:
        if self._log is None:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_file.open("ab")
        self._processes.append(_start_group(command, self._log, env))

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Return once ``ready()``; stop everything and raise when a process exits first
        (RuntimeError) or ``timeout`` seconds pass (TimeoutError)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                self.stop()
                raise RuntimeError(f"{self.name} exited while starting; see {self.log_file}")
            if ready():
                return
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"{self.name} did not answer within {timeout} s; see {self.log_file}")

    def stop(self, timeout: float = 10.0) -> None:
        """End every process (killed if it does not exit within ``timeout`` seconds)."""
        while self._processes:
            stop_process_group(self._processes.pop(), timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
