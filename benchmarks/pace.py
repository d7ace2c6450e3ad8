"""How fast tillsync goes, against a naive Temporal saga, in one run on one Temporal dev server:

1. naive baseline: a 5-activity saga, closed-loop workflows/s at a fixed number in flight
2. tillsync on the in-memory ERP: closed-loop sales/s; open loop at half that rate:
   submit -> reserved and submit -> posted, p50/p99
   (1 and 2 in two alternating rounds, each figure its best round; --quick: one)
3. tillsync on the sandbox Tryton (SQLite; PostgreSQL with several processes where this
   checkout has it): sustained tickets/s, submit -> reserved, ERP requests and ms per ticket
4. an offline till's backlog on the in-memory ERP: time to drain, lost 0, posted twice 0
   (run last: the runs it leaves behind would burden the server)
5. a worker process's RSS with parked runs
then a table of the targets, each met or not from the figures measured here.

    .venv/bin/python -m benchmarks.pace [--quick] [--only naive,memory,tryton,backlog,rss]
        [--seed 1] [--backlog 10000] [--backlog-deadline 900] [--in-flight 64]
        [--tryton sqlite-daily,postgres-daily,sqlite,postgres]
        [--store-url postgresql+psycopg2://...] [--keep]

Everything starts in a temporary folder (the dev server on free ports, workers in process, the
worker of phase 5 as a child process) on 127.0.0.1 and stops at the end. The default run takes
about a quarter of an hour on two cores; ``--quick`` a few minutes.
"""

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import partial
from importlib import metadata
from pathlib import Path

from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.testing import WorkflowEnvironment

from benchmarks.codec import bench_data_converter
from benchmarks.throughput.measure import Bench, Counts
from benchmarks.throughput.memory import run_backlog, run_memory
from benchmarks.throughput.naive import run_naive
from benchmarks.throughput.rss import run_rss
from benchmarks.throughput.targets import print_summary
from benchmarks.throughput.tryton import run_tryton
from starter.devstack.temporal_server import temporal_binary
from worker import exit_without_teardown
from workflows import search_attributes

REPOSITORY = Path(__file__).resolve().parents[1]
PHASES = ("naive", "memory", "tryton", "backlog", "rss")
TRYTON_VARIANTS = ("sqlite-daily", "postgres-daily", "sqlite", "postgres")
SHUTDOWN_SECONDS = 30.0


class CountingHandler(logging.Handler):
    """Counts the warnings and errors that went to the log file, by logger."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        while message.startswith("["):  # the SDK core's: "[target] [code] message {fields}"
            message = message.partition("] ")[2]
        message = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}\S*\s*", "", message)  # run ids
        gist = re.split(r"[({]|\. ", message, maxsplit=1)[0].strip()[:60]
        self.counts[f"{record.levelname} {gist}"] += 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    parser.add_argument("--only", default=",".join(PHASES), help="comma-separated phases")
    parser.add_argument("--seed", type=int, default=1, help="open-loop arrivals")
    parser.add_argument("--backlog", type=int, help="backlog tickets (default 10000)")
    parser.add_argument(
        "--backlog-deadline", type=float, help="seconds the backlog may take (default 900)"
    )
    parser.add_argument("--in-flight", type=int, help="closed-loop concurrency (default 64)")
    parser.add_argument(
        "--tryton",
        default=",".join(TRYTON_VARIANTS),
        help="Tryton variants: <sqlite|postgres>[-daily] (daily: the consolidated posting mode)",
    )
    parser.add_argument("--store-url", default="", help="store URL (default: SQLite per phase)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and logs")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run tillsync's workflows in Temporal's sandbox (the tests' setting; default: off,"
        " as production workers run)",
    )
    arguments = parser.parse_args()
    for option, allowed in (("only", PHASES), ("tryton", TRYTON_VARIANTS)):
        chosen = [name.strip() for name in getattr(arguments, option).split(",") if name.strip()]
        unknown = sorted(set(chosen) - set(allowed))
        if unknown:
            parser.error(f"--{option}: unknown {', '.join(unknown)}; one of {', '.join(allowed)}")
        setattr(arguments, option, chosen)
    return arguments


def _counts(arguments: argparse.Namespace) -> Counts:
    counts = Counts.quick() if arguments.quick else Counts()
    if arguments.backlog is not None:
        counts.backlog = arguments.backlog
    if arguments.backlog_deadline is not None:
        counts.backlog_deadline = arguments.backlog_deadline
    if arguments.in_flight is not None:
        counts.in_flight = arguments.in_flight
    return counts


def _checkout() -> str:
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return described.stdout.strip()


@contextmanager
def _children_write_to(path: Path) -> Iterator[None]:
    """Children started meanwhile write their stdout and stderr to ``path`` (the dev server
    prints a banner and its errors there), not into the figures."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for descriptor in saved:
                os.close(descriptor)


def _runtime() -> Runtime:
    """The SDK core's own log lines go to the log file (and its counts), not to stderr."""
    forwarding = LogForwardingConfig(logger=logging.getLogger("temporalio.core"))
    logging_config = LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"), forwarding=forwarding
    )
    return Runtime(telemetry=TelemetryConfig(logging=logging_config))


async def _shut_down(env: WorkflowEnvironment) -> None:
    """Stop the dev server; one that does not exit in time (it can hang, loaded with runs)
    is killed."""
    try:
        await asyncio.wait_for(env.shutdown(), SHUTDOWN_SECONDS)
    except TimeoutError:
        print(f"the dev server did not stop within {SHUTDOWN_SECONDS:.0f} s: killed")
        _kill_children_named("temporal")


def _kill_children_named(command: str) -> None:
    """SIGKILL this process's own children running ``command`` (by their pid)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" ", 1)
        except OSError:
            continue
        name, _, fields = rest.rpartition(") ")
        if name == f"({command}" and int(fields.split()[1]) == os.getpid():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)


async def _phase(bench: Bench, name: str, run: Callable[[], Awaitable[None]]) -> None:
    """Run one phase; a failure is printed and noted, and the next phase runs."""
    started = time.monotonic()
    try:
        await run()
    except Exception as error:
        print(f"  FAILED: {type(error).__name__}: {error}")
        traceback.print_exc()
        bench.notes[name] = f"failed: {type(error).__name__}"
    print(f"  ({name}: {time.monotonic() - started:.0f} s)")


async def main(arguments: argparse.Namespace) -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    counts = _counts(arguments)
    folder = Path(tempfile.mkdtemp(prefix="tillsync-pace-"))
    counting = CountingHandler()
    logging.basicConfig(
        level=logging.WARNING,
        filename=folder / "pace.log",
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    logging.getLogger().addHandler(counting)
    logging.captureWarnings(True)
    print(
        f"tillsync pace: checkout {_checkout()}, {os.cpu_count()} CPUs,"
        f" Python {platform.python_version()}, temporalio {metadata.version('temporalio')},"
        f" {'--quick' if arguments.quick else 'full run'}, seed {arguments.seed},"
        f" workflow sandbox {'on' if arguments.sandbox else 'off'}"
    )
    print(f"  counts: {counts}")
    started = time.monotonic()
    with _children_write_to(folder / "temporal.log"):
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_binary(),
            search_attributes=search_attributes.ALL,
            data_converter=bench_data_converter(),
            dev_server_log_level="error",
            runtime=_runtime(),
        )
    bench = Bench(
        env=env,
        folder=folder,
        counts=counts,
        seed=arguments.seed,
        quick=arguments.quick,
        store_url=arguments.store_url,
        sandbox=arguments.sandbox,
    )
    try:
        for round_ in range(counts.rounds):  # alternating: a noisy spell hits both alike
            if "naive" in arguments.only:
                await _phase(bench, "naive", partial(run_naive, bench, round_))
            if "memory" in arguments.only:
                await _phase(bench, "memory", partial(run_memory, bench, round_))
        if "tryton" in arguments.only:
            for variant in arguments.tryton:
                await _phase(bench, f"tryton_{variant}", partial(run_tryton, bench, variant))
        if "rss" in arguments.only:
            await _phase(bench, "rss", lambda: run_rss(bench))
        if "backlog" in arguments.only:  # last: what it leaves running burdens the server
            await _phase(bench, "backlog", lambda: run_backlog(bench))
    finally:
        print_summary(bench)
        print(f"\nwhole run {time.monotonic() - started:.0f} s; the log's warnings and errors:")
        for gist, count in counting.counts.most_common(8) or [("none", 0)]:
            print(f"  {count:>6} x {gist}")
        await _shut_down(env)
        if arguments.keep:
            print(f"kept: {folder}")
        else:
            logging.shutdown()
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main(_arguments()))
    exit_without_teardown(0)
