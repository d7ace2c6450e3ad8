"""The demo store day (examples/, as `make run` replays it) through a worker on the memory
ERP: its metrics, on the worker's /metrics, and its KPI line equal the day's outcomes; a
parked run shows in the parked and open-exception gauges and leaves them once retried."""

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from domain.kpi import KpiLine, chain_line
from domain.mapping import MappingKind, MappingRow
from domain.outcomes import ExceptionKind, Outcome
from domain.periods import PostingMode
from domain.settings import Settings
from observability.server import temporal_runtime
from starter.control.runs import retry_run
from starter.intake.store_day import DaySummary, replay_store_day
from starter.intake.submission import wait_settled
from store.db import create_store_engine, session_scope
from store.exceptions import list_exceptions
from store.health import store_health
from store.kpi import store_day_facts
from store.mappings import import_mappings
from tests.observability.scrape import Samples, free_port, process_samples, scrape, total
from worker import run_worker

EXAMPLES = Path(__file__).parents[2] / "examples"
DEMO_DAY = date(2026, 11, 20)
UNMAPPED_SKU_RUN = "pos:S002:T1:S002-T1-000002"


@dataclass
class DemoDay:
    settings: Settings
    engine: Engine
    client: Client
    summary: DaySummary
    before: Samples
    after: Samples

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.worker_metrics_port}/metrics"

    def counted(self, name: str, **labels: str) -> float:
        return total(self.after, name, **labels) - total(self.before, name, **labels)


@pytest.fixture(scope="module")
async def demo_day(
    temporal_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DemoDay]:
    data_dir = tmp_path_factory.mktemp("health")
    settings = Settings(
        data_dir=data_dir,
        store_url=f"sqlite:///{data_dir / 'store.db'}",
        task_queue="tillsync-health",
        erp_kind="memory",
        erp_posting_mode=PostingMode.PER_TRANSACTION,
        metrics_cache_seconds=0,
        worker_metrics_port=free_port(),
        temporal_metrics_port=free_port(),
    )
    engine = create_store_engine(settings.resolved_store_url)
    client = await Client.connect(
        temporal_env.client.service_client.config.target_host,
        data_converter=pydantic_data_converter,
        runtime=temporal_runtime(settings),
    )
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, client, stop))
    before = process_samples()
    summary = await replay_store_day(client, settings, EXAMPLES)
    try:
        yield DemoDay(settings, engine, client, summary, before, process_samples())
    finally:
        stop.set()
        await worker
        engine.dispose()


def test_the_day_has_every_outcome(demo_day: DemoDay) -> None:
    counts = {outcome: demo_day.summary.count(outcome) for outcome in Outcome}
    assert counts[Outcome.POSTED] >= 8
    assert counts[Outcome.PARKED] == 2
    assert counts[Outcome.IGNORED] == 2
    assert counts[Outcome.DUPLICATE] == 1


def test_ticket_counters_equal_the_days_outcomes(demo_day: DemoDay) -> None:
    name = "tillsync_tickets_total"
    for outcome in (Outcome.POSTED, Outcome.IGNORED, Outcome.DUPLICATE, Outcome.ABANDONED):
        assert demo_day.counted(name, outcome=outcome.value) == demo_day.summary.count(outcome)
    posted_at_s001 = sum(
        1
        for result in demo_day.summary.results
        if result.outcome is Outcome.POSTED and result.workflow_id.startswith("pos:S001:")
    )
    assert demo_day.counted(name, outcome="posted", store="S001") == posted_at_s001


def test_stage_latencies_time_every_posted_ticket(demo_day: DemoDay) -> None:
    posted = demo_day.summary.count(Outcome.POSTED)
    name = "tillsync_stage_latency_seconds_count"
    assert demo_day.counted(name, stage="posted") == posted
    assert demo_day.counted(name, stage="reserved") == posted
    assert demo_day.counted("tillsync_erp_call_seconds_count", operation="reserve_many") >= 1


async def test_worker_metrics_show_the_store_and_the_temporal_sdk(demo_day: DemoDay) -> None:
    samples = await scrape(demo_day.metrics_url)
    assert total(samples, "tillsync_parked_runs") == demo_day.summary.count(Outcome.PARKED)
    assert total(samples, "tillsync_parked_runs", store="S002", kind="unmapped_sku") == 1
    assert total(samples, "tillsync_parked_runs", store="S009", kind="unmapped_location") == 1
    assert total(samples, "tillsync_open_exceptions", store="S002", owner="it", parks="true") == 1
    assert total(samples, "tillsync_sync_lag_seconds", store="S001") >= 0
    assert "tillsync_sync_lag_seconds" in samples
    assert total(samples, "tillsync_store_last_seen_timestamp_seconds", store="S001") > 0
    assert any(name.startswith("temporal_") for name in samples), sorted(samples)[:20]


async def test_the_kpi_line_equals_the_days_outcomes(demo_day: DemoDay) -> None:
    posted = demo_day.summary.count(Outcome.POSTED)
    parked = demo_day.summary.count(Outcome.PARKED)
    ignored = demo_day.summary.count(Outcome.IGNORED)
    with session_scope(demo_day.engine) as session:
        facts = store_day_facts(session, DEMO_DAY)
        exceptions = [
            record
            for record in list_exceptions(session, state=None)
            if record.business_date == DEMO_DAY
        ]
    chain = chain_line(facts, DEMO_DAY, datetime.now(UTC))
    assert chain.tickets == posted + parked + ignored
    assert chain.posted == posted
    assert chain.untouched_percent is not None
    assert float(chain.untouched_percent) == pytest.approx(100 * posted / chain.tickets, abs=0.05)
    assert chain.exceptions == len(exceptions)
    assert chain.exceptions_per_1000 is not None
    assert float(chain.exceptions_per_1000) == pytest.approx(
        1000 * len(exceptions) / chain.tickets, abs=0.05
    )
    assert chain.reconciliation_differences is None
    assert chain.oldest_open_kind is not None
    s009 = next(store for store in facts if store.store_id == "S009")
    assert (s009.tickets, s009.posted, s009.posted_untouched) == (1, 0, 0)


async def test_tillsync_kpi_prints_the_line_per_store_and_for_the_chain(demo_day: DemoDay) -> None:
    command = [sys.executable, "-m", "starter.cli.app", "kpi", "--day", str(DEMO_DAY), "--json"]
    environment = {**os.environ, "TILLSYNC_STORE_URL": demo_day.settings.resolved_store_url}
    done = await asyncio.to_thread(
        subprocess.run,
        [*command, "--no-erp"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [KpiLine.model_validate_json(line) for line in done.stdout.splitlines()]
    assert [line.scope for line in lines] == ["S001", "S002", "S003", "S009", "chain"]
    chain = lines[-1]
    assert (chain.tickets, chain.posted) == (
        sum(demo_day.summary.count(o) for o in (Outcome.POSTED, Outcome.PARKED, Outcome.IGNORED)),
        demo_day.summary.count(Outcome.POSTED),
    )
    assert sum(line.tickets for line in lines[:-1]) == chain.tickets

    shown = await asyncio.to_thread(
        subprocess.run,
        [*command[:-1], "--no-erp"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    rows = [
        [cell.strip() for cell in re.split("[│┃]", row)[1:-1]] for row in shown.stdout.splitlines()
    ]
    rows = [row for row in rows if row]
    assert rows[0][:3] == ["scope", "day", "tickets"]
    assert [(row[0], row[2]) for row in rows[1:]] == [
        (line.scope, str(line.tickets)) for line in lines
    ]


async def test_labels_are_bounded_by_store_never_by_ticket(demo_day: DemoDay) -> None:
    """Every tillsync series is labelled by bounded things (store, outcome, stage, kind, ...):
    no ticket, transaction, workflow, terminal or cashier, whatever the day held. (The
    values are the whole test process's: its counters hold every test's stores.)"""
    bounded = {"store", "outcome", "stage", "operation", "error", "kind", "owner", "parks"}
    bounded |= {"route", "status", "reason", "le", "method"}
    samples = await scrape(demo_day.metrics_url)
    tillsync = {name: found for name, found in samples.items() if name.startswith("tillsync_")}
    assert "tillsync_tickets_total" in tillsync and "tillsync_open_exceptions" in tillsync
    for name, found in tillsync.items():
        for labels, _ in found:
            assert set(labels) <= bounded, (name, labels)


def test_the_store_overview_shows_each_stores_day(demo_day: DemoDay) -> None:
    """The page's store overview after the day: what ended by outcome, what waits in flight."""
    with session_scope(demo_day.engine) as session:
        overview = {
            health.store_id: health
            for health in store_health(
                session, [kind.value for kind in ExceptionKind], datetime.now(UTC), timedelta(1)
            )
        }
    assert sorted(overview) == ["S001", "S002", "S003", "S009"]
    ended = sum(sum(health.outcomes.values()) for health in overview.values())
    assert ended == demo_day.summary.count(Outcome.POSTED) + demo_day.summary.count(Outcome.IGNORED)
    waiting = sum(health.in_flight for health in overview.values())
    assert waiting == demo_day.summary.count(Outcome.PARKED)
    assert (overview["S009"].outcomes, overview["S009"].in_flight) == ({}, 1)
    assert overview["S009"].last_posted_at is None and overview["S009"].last_seen_at
    assert overview["S009"].lag is None, "nothing posted"
    assert overview["S001"].lag is not None and overview["S001"].last_posted_at
    assert overview["S002"].in_flight == 1 and overview["S002"].open_exceptions == 1
    assert not any(health.silent for health in overview.values())


async def test_a_retried_run_leaves_the_parked_gauge_and_counts_as_touched(
    demo_day: DemoDay,
) -> None:
    """Runs last in this module: it changes the day."""
    with session_scope(demo_day.engine) as session:
        import_mappings(
            session, [MappingRow(kind=MappingKind.SKU, pos_code="100099", erp_code="BAG-001")]
        )
        before = next(f for f in store_day_facts(session, DEMO_DAY) if f.store_id == "S002")
    reply = await retry_run(demo_day.client, UNMAPPED_SKU_RUN, "mapped 100099")
    assert reply.accepted, reply.message
    assert (await wait_settled(demo_day.client, UNMAPPED_SKU_RUN)).outcome is Outcome.POSTED

    samples = await scrape(demo_day.metrics_url)
    assert total(samples, "tillsync_parked_runs", store="S002") == 0
    assert total(samples, "tillsync_parked_runs") == demo_day.summary.count(Outcome.PARKED) - 1
    assert total(samples, "tillsync_open_exceptions", store="S002", kind="unmapped_sku") == 0
    with session_scope(demo_day.engine) as session:
        after = next(f for f in store_day_facts(session, DEMO_DAY) if f.store_id == "S002")
    assert after.tickets == before.tickets
    assert after.posted == before.posted + 1
    assert after.posted_untouched == before.posted_untouched
    assert len(after.resolve_times) == len(before.resolve_times) + 1
