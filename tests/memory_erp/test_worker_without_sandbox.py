"""A production worker may run its workflows outside Temporal's sandbox (TILLSYNC_WORKFLOW_SANDBOX
=false, docs/scaling.md): the saga books the same, and its history replays in the sandbox. Its
polls for workflow tasks are a setting too."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import PollerBehaviorSimpleMaximum, UnsandboxedWorkflowRunner

from connectors.erp.memory import InvoiceState, MemoryErp, StockState
from domain.outcomes import Outcome
from domain.settings import Settings
from starter.intake.submission import Submitter
from tests.e2e.helpers import new_id, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import BOOKED, replays_cleanly
from worker import WORKFLOW_RUNNER, build_worker, workflow_runner


def test_the_setting_chooses_the_runner(memory_settings: Settings) -> None:
    unsandboxed = memory_settings.model_copy(update={"workflow_sandbox": False})
    assert isinstance(workflow_runner(unsandboxed).runner, UnsandboxedWorkflowRunner)
    assert workflow_runner(memory_settings).runner is WORKFLOW_RUNNER


async def test_a_sale_posts_once_without_the_sandbox_and_replays_in_it(
    client: Client, memory_settings: Settings, memory_engine: Engine, memory_erp: MemoryErp
) -> None:
    settings = memory_settings.model_copy(
        update={"workflow_sandbox": False, "task_queue": "tillsync-memory-unsandboxed"}
    )
    txn = make_sale(new_id(), [sale_line(1, "100001", "2", "3.60")])
    with ThreadPoolExecutor(max_workers=settings.max_concurrent_activities) as executor:
        worker = build_worker(client, settings, memory_erp, memory_erp, executor)
        async with worker:
            submitter = Submitter(client, memory_engine, settings.task_queue)
            result = await submit_and_wait(submitter, client, txn)

    assert result.outcome is Outcome.POSTED, result
    order = memory_erp.order(txn.workflow_id)
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    assert (order.stock, order.invoice) == (StockState.ISSUED, InvoiceState.PAID)
    assert txn.workflow_id not in memory_erp.posted_twice()
    await replays_cleanly(client, txn.workflow_id)


async def test_the_worker_keeps_the_polls_the_settings_ask_for(
    client: Client, memory_settings: Settings, memory_erp: MemoryErp
) -> None:
    settings = memory_settings.model_copy(
        update={"workflow_task_pollers": 7, "task_queue": "tillsync-memory-polls"}
    )
    with ThreadPoolExecutor(max_workers=settings.max_concurrent_activities) as executor:
        worker = build_worker(client, settings, memory_erp, memory_erp, executor)
    config = worker.config()
    assert config["workflow_task_poller_behavior"] == PollerBehaviorSimpleMaximum(7)
    assert config["nonsticky_to_sticky_poll_ratio"] == 1.0, "new runs' tasks are not sticky"
    default = Settings.model_fields["workflow_task_pollers"].default
    assert default == 20, "the default benchmarks/pace.py measured"
