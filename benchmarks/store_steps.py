"""What the store costs a sale on the hot path: the admission (claim, mapping, closing marks)
and the journal (journal row, facts, stock ledger, sync mark), run as the worker runs them
(``AdmissionActivities.admit``, ``StoreActivities.record_outcome``), one ticket after another,
on SQLite (a temporary folder) and PostgreSQL (a throwaway database). Prints, per ticket,
the process's CPU milliseconds, the wall milliseconds, and the statements and commits sent:

    .venv/bin/python -m benchmarks.store_steps [--tickets 2000]
        [--postgres postgresql+psycopg2://postgres@127.0.0.1:5432/postgres | --no-postgres]

The worker's CPU is what bounds the engine (docs/scaling.md); this isolates the store's share.
"""

import argparse
import asyncio
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from temporalio.testing import ActivityEnvironment

from activities.admission import AdmissionActivities
from activities.erp import ErpActivities
from activities.finance import FinanceActivities
from activities.store import OutcomeRecord, StoreActivities
from benchmarks.throughput.measure import ticket
from benchmarks.throughput.memory import memory_erp
from domain.erp_order import ErpOrderRefs
from domain.order_plan import plan_erp_order
from domain.outcomes import Outcome, Submission
from domain.settings import Settings
from tests.sample_data import example_store

WARM_UP = 50


@contextmanager
def _counted(engine: Engine) -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()

    def statement(*_: Any) -> None:
        counts["statements"] += 1

    def commit(*_: Any) -> None:
        counts["commits"] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)


async def _book(
    environment: ActivityEnvironment,
    admission: AdmissionActivities,
    store: StoreActivities,
    terminal: str,
    number: int,
) -> None:
    txn = ticket(terminal, number)
    submission = Submission(
        transaction=txn, submission_id=uuid.uuid4().hex, submitted_at=datetime.now(UTC)
    )
    admitted = await environment.run(admission.admit, submission)
    assert admitted.claim.is_owner and admitted.mapping and admitted.plan, "a mapped sale"
    reference = f"{txn.workflow_id}~1"
    order = plan_erp_order(txn, admitted.mapping, reference, {})
    record = OutcomeRecord(
        transaction=txn,
        outcome=Outcome.POSTED,
        refs=ErpOrderRefs(reference=reference),
        order=order,
        posting_mode=admitted.plan.mode,
        reserved_at=datetime.now(UTC),
    )
    environment.run(store.record_outcome, record)


async def _measure(label: str, url: str, tickets: int) -> None:
    engine = example_store(url)
    settings = Settings(store_url=url)
    store = StoreActivities(engine)
    erp = memory_erp()
    finance = FinanceActivities(engine, erp, None, settings)  # type: ignore[arg-type]
    admission = AdmissionActivities(store, finance, ErpActivities(erp, Decimal("0.01")))
    environment = ActivityEnvironment()
    try:
        for number in range(WARM_UP):
            await _book(environment, admission, store, "SW", number + 1)
        with _counted(engine) as counts:
            cpu, wall = time.process_time(), time.perf_counter()
            for number in range(tickets):
                await _book(environment, admission, store, "SB", number + 1)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        engine.dispose()
    print(
        f"{label:<11} {tickets} sales: CPU {cpu / tickets * 1000:5.2f} ms a sale,"
        f" wall {wall / tickets * 1000:5.2f} ms,"
        f" {counts['statements'] / tickets:4.1f} statements and"
        f" {counts['commits'] / tickets:3.1f} commits a sale"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_measure("sqlite", f"sqlite:///{Path(folder) / 'store.db'}", args.tickets))
    if args.no_postgres:
        return
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"tillsync_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
        asyncio.run(_measure("postgresql", url, args.tickets))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
