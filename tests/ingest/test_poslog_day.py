"""NCR's real POSLog day (store 9, 42 retail transactions), end to end: its catalog loaded into
the sandbox ERP, the file replayed, and every ticket booked with the file's own totals: in
daily mode (the default) as the day's consolidated posting, reconciled against the tills; in
per-transaction mode (`make test-long`) as an invoice per ticket."""

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from connectors.erp.tryton import TrytonRest
from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from connectors.pos.poslog import parse_poslog
from domain.outcomes import Outcome
from domain.periods import PostingMode
from domain.settings import Settings
from starter.control.daily_posting import run_daily_posting
from starter.intake.catalog import load_catalog
from starter.intake.replay import ReplaySummary, replay
from starter.intake.submission import wait_settled
from starter.intake.ticket_intake import Intake
from starter.reports.reconciliation import reconcile_day
from tests.erp_fixtures import sandbox_settings
from tests.sample_data import POSLOG_DIR, open_example_store, poslog_store_catalog
from tests.temporal_fixtures import workers_running
from workflows.pos_transaction import PosTransactionWorkflow

pytestmark = [pytest.mark.erp, pytest.mark.temporal]
DAILY_STORE = "90"
"""The daily run books the same day as store 90 (same tills, same warehouse), so that both
tests can share one Temporal server without their workflow ids meeting."""

SETTLE_SECONDS = 300
POSLOG = POSLOG_DIR / "POSLog.xml"


async def _replayed(
    client: Client, engine: Engine, settings: Settings, day: Path, folder: Path, concurrency: int
) -> ReplaySummary:
    return await replay(
        Intake(client, engine, settings.task_queue),
        [day],
        source_format=None,
        data_dir=folder,
        rejects_file=folder / "rejects.jsonl",
        concurrency=concurrency,
    )


@pytest.fixture(scope="module")
def daily_settings(
    tmp_path_factory: pytest.TempPathFactory, erp_sandbox: TrytonSandboxInfo
) -> Settings:
    return sandbox_settings(
        tmp_path_factory.mktemp("poslog-daily"),
        erp_sandbox,
        "tillsync-poslog-daily",
        erp_posting_mode=PostingMode.DAILY,
        erp_timeout_seconds=120,
    )


@pytest.fixture(scope="module")
async def daily_engine(
    temporal_env: WorkflowEnvironment, daily_settings: Settings
) -> AsyncIterator[Engine]:
    with open_example_store(daily_settings.resolved_store_url) as engine:
        async with workers_running(temporal_env.client, daily_settings):
            yield engine


async def test_the_poslog_day_books_its_stock_and_one_daily_posting_that_reconciles(
    temporal_env: WorkflowEnvironment,
    daily_settings: Settings,
    daily_engine: Engine,
    tryton_rest: TrytonRest,
    erp_sandbox: TrytonSandboxInfo,
    tmp_path: Path,
) -> None:
    client: Client = temporal_env.client
    day_file = tmp_path / "POSLog.xml"
    day_file.write_text(
        POSLOG.read_text().replace(
            "<RetailStoreID>9</RetailStoreID>", f"<RetailStoreID>{DAILY_STORE}</RetailStoreID>"
        )
    )
    transactions = parse_poslog(day_file).transactions
    plan = poslog_store_catalog(transactions, store_id=DAILY_STORE)
    await load_catalog(tryton_rest, erp_sandbox.company_id, daily_engine, plan)

    summary = await _replayed(client, daily_engine, daily_settings, day_file, tmp_path, 8)

    assert (summary.counts.started, summary.counts.skipped, summary.counts.rejected) == (42, 9, 0)
    for txn in transactions:
        result = await asyncio.wait_for(wait_settled(client, txn.workflow_id), SETTLE_SECONDS)
        assert result.outcome is Outcome.POSTED, (txn.transaction_id, result.message)
        assert result.erp is not None and result.erp.shipment_ids, "its stock, a shipment"
        assert result.erp.invoice_id is None, "no invoice per ticket in daily mode"
    [day] = {txn.business_date for txn in transactions}
    booked = await run_daily_posting(client, daily_settings.task_queue, DAILY_STORE, through=day)
    assert [(batch.ticket_count, batch.posted) for batch in booked.batches] == [(42, True)]
    [store_day] = (await reconcile_day(daily_settings, day, DAILY_STORE)).days
    gross = sum((txn.totals.gross for txn in transactions), Decimal(0))
    tax = sum((txn.totals.tax for txn in transactions), Decimal(0))
    assert (store_day.pos.gross, store_day.erp.gross) == (gross, gross)
    assert (store_day.pos.tax, store_day.erp.tax) == (tax, tax)
    assert store_day.differences == [], store_day.differences


@pytest.mark.long
async def test_the_poslog_day_replays_end_to_end_with_the_files_totals_in_the_erp(
    temporal_env: WorkflowEnvironment,
    ingest_settings: Settings,
    ingest_engine: Engine,
    ingest_worker: None,
    erp_sandbox: TrytonSandboxInfo,
    tryton_rest: TrytonRest,
    tmp_path: Path,
) -> None:
    client: Client = temporal_env.client
    transactions = parse_poslog(POSLOG).transactions
    plan = poslog_store_catalog(transactions)
    await load_catalog(tryton_rest, erp_sandbox.company_id, ingest_engine, plan)

    summary = await _replayed(client, ingest_engine, ingest_settings, POSLOG, tmp_path, 2)

    assert (summary.counts.started, summary.counts.skipped, summary.counts.rejected) == (42, 9, 0)
    posted: dict[str, Decimal] = {}
    problems: list[str] = []
    for txn in transactions:
        try:
            result = await asyncio.wait_for(wait_settled(client, txn.workflow_id), SETTLE_SECONDS)
        except TimeoutError:
            status = await client.get_workflow_handle(txn.workflow_id).query(
                PosTransactionWorkflow.status
            )
            problems.append(f"{txn.transaction_id}: still {status.stage} after {SETTLE_SECONDS}s")
            continue
        if result.outcome is not Outcome.POSTED or result.erp is None or not result.erp.invoice_id:
            problems.append(f"{txn.transaction_id}: {result.outcome} {result.message}")
            continue
        invoice = await tryton_rest.read(
            "account.invoice", result.erp.invoice_id, ["total_amount", "tax_amount", "currency"]
        )
        posted[txn.transaction_id] = invoice["total_amount"]
        if invoice["total_amount"] != txn.totals.gross:
            problems.append(
                f"{txn.transaction_id}: ERP total {invoice['total_amount']}"
                f" (tax {invoice['tax_amount']}), file {txn.totals.gross} (tax {txn.totals.tax})"
            )
    assert problems == [], "\n".join(problems)
    assert sum(posted.values()) == sum(txn.totals.gross for txn in transactions)
