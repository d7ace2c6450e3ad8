"""Running a Python module of this environment as a child process, or as a server in a
process group of its own."""

import contextlib
import os
import signal
import subprocess
import sys
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


def start_python_module(
    module: str, *arguments: str, log: IO[bytes], env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``python -m module arguments`` as the leader of a process group of its own, its
    output appended to ``log``; ``stop_process_group`` ends it with all its children."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *arguments],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
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
