"""NCR's real POSLog day (store 9, 42 retail transactions), end to end: its catalog loaded into
the sandbox ERP, the file replayed, and every ticket posted with the file's own totals."""

import asyncio
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
from domain.settings import Settings
from starter.catalog import load_catalog
from starter.intake import Intake
from starter.replay import replay
from starter.submission import wait_settled
from tests.sample_data import POSLOG_DIR, poslog_store_catalog
from workflows.pos_transaction import PosTransactionWorkflow

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

SETTLE_SECONDS = 300
POSLOG = POSLOG_DIR / "POSLog.xml"


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

    summary = await replay(
        Intake(client, ingest_engine, ingest_settings.task_queue),
        [POSLOG],
        source_format=None,
        data_dir=tmp_path,
        rejects_file=tmp_path / "rejects.jsonl",
        concurrency=2,
    )

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
