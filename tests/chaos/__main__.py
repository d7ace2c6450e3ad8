"""python -m tests.chaos [--short] [--seed N] [--tickets N]: a chaos run (docs/chaos.md)."""

import argparse
import asyncio
import sys

from tests.chaos.run import RunOptions, run
from tests.chaos.schedule import FULL, SHORT
from tests.codec_keys import configure_test_codec


def options(arguments: list[str]) -> RunOptions:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos")
    parser.add_argument("--short", action="store_true", help="the CI version: a few hundred")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the logs' folder")
    parsed = parser.parse_args(arguments)
    if parsed.short:
        return RunOptions(
            tickets=parsed.tickets or 300,
            seed=parsed.seed,
            plan=SHORT,
            malformed=150,
            tickets_per_second=4.0,
            chunk=20,
            keep=parsed.keep,
        )
    return RunOptions(
        tickets=parsed.tickets or 2000,
        seed=parsed.seed,
        plan=FULL,
        malformed=1000,
        tickets_per_second=5.0,
        chunk=40,
        keep=parsed.keep,
    )


if __name__ == "__main__":
    configure_test_codec()
    sys.exit(asyncio.run(run(options(sys.argv[1:]))))
