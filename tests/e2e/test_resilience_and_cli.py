"""A worker killed mid-saga, and the `tillsync` command line, as an operator would use it."""

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.testing import WorkflowEnvironment

from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton_sandbox import TrytonServer
from domain.outcomes import Outcome, SyncStage
from domain.settings import Settings
from starter.intake.submission import Submitter, wait_settled
from tests.e2e.helpers import new_id, sales_with_reference, stock, wait_for_stage
from tests.erp_fixtures import sandbox_environment
from tests.factories import make_sale, sale_line
from workflows.pos_transaction import PosTransactionWorkflow

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

REPOSITORY = Path(__file__).parents[2]
KILL_QUEUE = "tillsync-e2e-kill"
WORKER_LOGS = ("first-worker.log", "second-worker.log")


def _environment(
    temporal_env: WorkflowEnvironment, settings: Settings, **extra: str
) -> dict[str, str]:
    return sandbox_environment(
        settings,
        temporal_env.client.service_client.config.target_host,
        TILLSYNC_ERP_RPC_LOGIN=settings.erp_rpc_login,
        TILLSYNC_ERP_RPC_PASSWORD=settings.erp_rpc_password.get_secret_value(),
        **extra,
    )


def _start_worker(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "worker.py"],
            cwd=REPOSITORY,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def test_worker_killed_mid_saga_a_new_worker_completes_it_once(
    temporal_env: WorkflowEnvironment,
    e2e_settings: Settings,
    e2e_engine: object,
    tryton_server: TrytonServer,
    tryton_connector: TrytonConnector,
    tryton_rest: TrytonRest,
    tmp_path: Path,
) -> None:
    assert e2e_engine is not None  # the store's schema and mappings exist
    environment = _environment(temporal_env, e2e_settings, TILLSYNC_TASK_QUEUE=KILL_QUEUE)
    submitter = Submitter(temporal_env.client, e2e_engine, KILL_QUEUE)  # type: ignore[arg-type]
    txn = make_sale(new_id(), [sale_line(1, "100002", "2", "9.00")])
    before = await stock(tryton_connector, "MUG-001")
    first_worker = _start_worker(environment, tmp_path / "first-worker.log")
    try:
        await submitter.submit(txn)
        # Past the reservation, the post in flight: take the ERP away so the saga is stuck
        # mid-way, then kill the worker outright.
        reached = await wait_for_stage(
            temporal_env.client, txn.workflow_id, {SyncStage.POSTING, SyncStage.COMMITTING}
        )
        await asyncio.to_thread(tryton_server.stop)
        first_worker.send_signal(signal.SIGKILL)
        first_worker.wait(timeout=10)
    finally:
        if first_worker.poll() is None:
            first_worker.kill()
        await asyncio.to_thread(tryton_server.start)
    assert reached.stage in {SyncStage.POSTING, SyncStage.COMMITTING}
    [sale] = await sales_with_reference(tryton_rest, txn.workflow_id)
    assert sale["state"] in {"confirmed", "processing"}, "reserved before the kill"

    second_worker = _start_worker(environment, tmp_path / "second-worker.log")
    try:
        result = await asyncio.wait_for(wait_settled(temporal_env.client, txn.workflow_id), 90)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        described = await temporal_env.client.get_workflow_handle(txn.workflow_id).describe()
        pending = [
            f"{activity.activity_type.name} attempt {activity.attempt}: "
            f"{activity.last_failure.message}"
            for activity in described.raw_description.pending_activities
        ]
        status = await temporal_env.client.get_workflow_handle(txn.workflow_id).query(
            PosTransactionWorkflow.status
        )
        logs = {name: (tmp_path / name).read_text()[-2000:] for name in WORKER_LOGS}
        raise AssertionError(f"not settled: {status}; pending {pending}; logs {logs}") from None
    finally:
        second_worker.terminate()
        second_worker.wait(timeout=30)
    assert result.outcome is Outcome.POSTED, result
    [sale] = await sales_with_reference(tryton_rest, txn.workflow_id)
    assert [invoice["state"] for invoice in sale["invoices"]] == ["paid"], (
        "posted and paid by its tender, once"
    )
    assert await stock(tryton_connector, "MUG-001") == before - 2, "issued once"


async def test_cli_submit_reports_field_errors_and_posts_the_valid_ticket(
    temporal_env: WorkflowEnvironment,
    e2e_settings: Settings,
    running_worker: None,
    tryton_rest: TrytonRest,
    tmp_path: Path,
) -> None:
    valid = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")])
    invalid = valid.model_dump(mode="json") | {"transaction_id": new_id(), "currency": "pounds"}
    invalid["lines"][0]["quantity"] = 1.5
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps([valid.model_dump(mode="json"), invalid]))

    completed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "starter.cli.app", "submit", str(batch), "--wait", "--json"],
        cwd=REPOSITORY,
        env=_environment(temporal_env, e2e_settings, TILLSYNC_TASK_QUEUE="tillsync-e2e"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    results = {row["transaction_id"]: row for row in map(json.loads, completed.stdout.splitlines())}
    assert completed.returncode == 1, completed.stderr
    rejected = results[invalid["transaction_id"]]
    assert rejected["outcome"] == "rejected"
    assert any(error.startswith("currency: ") for error in rejected["errors"])
    assert any(error.startswith("lines.0.quantity: ") for error in rejected["errors"])
    posted = results[valid.transaction_id]
    assert posted["outcome"] == "posted" and posted["erp"]["invoice_number"]
    rejects_file = e2e_settings.data_dir / "rejects.jsonl"
    assert invalid["transaction_id"] in rejects_file.read_text()
    expected_reference = f"pos-S001-T1-{invalid['transaction_id']}"
    assert await sales_with_reference(tryton_rest, expected_reference) == []


def _cli(
    temporal_env: WorkflowEnvironment, settings: Settings, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "starter.cli.app", *args],
        cwd=REPOSITORY,
        env=_environment(temporal_env, settings, TILLSYNC_TASK_QUEUE="tillsync-e2e"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


async def test_cli_lists_parked_runs_by_store_and_prints_schema_and_erp_info(
    temporal_env: WorkflowEnvironment,
    e2e_settings: Settings,
    submitter: Submitter,
) -> None:
    store = new_id("S")
    txn = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")], store_id=store)
    await submitter.submit(txn)
    await wait_settled(temporal_env.client, txn.workflow_id)

    async with asyncio.timeout(30):  # visibility is eventually consistent
        while True:
            listed = await asyncio.to_thread(
                _cli,
                temporal_env,
                e2e_settings,
                "runs",
                "--stage",
                "parked",
                "--store",
                store,
                "--json",
            )
            rows = [json.loads(line) for line in listed.stdout.splitlines()]
            if rows:
                break
            await asyncio.sleep(0.5)
    assert [(row["workflow_id"], row["exception_kind"]) for row in rows] == [
        (txn.workflow_id, "unmapped_location")
    ]
    shown = await asyncio.to_thread(
        _cli, temporal_env, e2e_settings, "runs", "--stage", "parked", "--store", store
    )
    table_rows = [line for line in shown.stdout.splitlines() if txn.workflow_id in line]
    assert [row.split("│")[1:-1] for row in table_rows] == [
        [f" {txn.workflow_id} ", " parked ", " unmapped_location ", " RUNNING "]
    ]

    schema = json.loads(
        (await asyncio.to_thread(_cli, temporal_env, e2e_settings, "schema")).stdout
    )
    assert {"transaction_id", "lines", "totals"} <= set(schema["required"])
    info = json.loads(
        (await asyncio.to_thread(_cli, temporal_env, e2e_settings, "erp", "info", "--json")).stdout
    )
    assert (info["url"], info["database"]) == (e2e_settings.erp_url, e2e_settings.erp_database)
