"""Running a Python module of this environment as a child process."""

import subprocess
import sys


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
