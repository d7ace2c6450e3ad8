"""python -m tests.chaos [--short] [--seed N] [--tickets N]: a chaos run (docs/chaos.md)."""

import argparse
import asyncio
import signal
import sys

from tests.chaos.run import RunOptions, run
from tests.chaos.schedule import FULL, SHORT
from tests.codec_keys import configure_test_codec

# tickets, faults, malformed payloads, tickets sent per second, tickets per submission
FULL_RUN = (2000, FULL, 1000, 5.0, 40)
SHORT_RUN = (300, SHORT, 150, 4.0, 20)


def options(arguments: list[str]) -> RunOptions:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos")
    parser.add_argument("--short", action="store_true", help="the CI version: a few hundred")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the logs' folder")
    parsed = parser.parse_args(arguments)
    tickets, plan, malformed, pace, chunk = SHORT_RUN if parsed.short else FULL_RUN
    return RunOptions(
        tickets=parsed.tickets or tickets,
        seed=parsed.seed,
        plan=plan,
        malformed=malformed,
        tickets_per_second=pace,
        chunk=chunk,
        keep=parsed.keep,
    )


async def _until_stopped(chosen: RunOptions) -> int:
    """The run, cancelled by SIGTERM or SIGINT so that it stops the stack it started."""
    task = asyncio.create_task(run(chosen))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    try:
        return await task
    except asyncio.CancelledError:
        return 130


if __name__ == "__main__":
    configure_test_codec()
    sys.exit(asyncio.run(_until_stopped(options(sys.argv[1:]))))
