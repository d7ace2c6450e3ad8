"""``tillsync exceptions list|retry|abandon`` with the page's filters (--role, --kind,
--store, --json) and a configured owner, on the memory-ERP stack (a store of its own)."""

import json

import pytest
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from connectors.erp.memory import MemoryErp
from connectors.temporal import client as temporal_client
from domain.operator import OperatorAction
from domain.outcomes import ExceptionOwner, Outcome, SyncStage
from domain.settings import Settings
from starter.cli import exception_commands
from starter.control.exception_queue import QueueFilter
from starter.intake.submission import Submitter
from tests.e2e.helpers import new_id, wait_for_stage
from tests.factories import make_sale, sale_line
from tests.memory_erp import health_page as hp
from tests.memory_erp.saga_helpers import parked_in_books

pytestmark = pytest.mark.temporal

STORE = "S-HEALTH-CLI"


async def test_the_exceptions_commands_take_the_pages_filters(
    skipping_env: WorkflowEnvironment,
    memory_settings: Settings,
    memory_engine: Engine,
    memory_erp: MemoryErp,
    memory_worker: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = skipping_env.client
    hp.map_store(memory_engine, STORE)
    submitter = Submitter(client, memory_engine, memory_settings.task_queue)
    txn = make_sale(
        new_id("HP"), [sale_line(1, "100001", "1", "3.60")], store_id=STORE, receipt_number=4
    )
    await parked_in_books(submitter, client, memory_erp, txn)
    settings = hp.page_settings(memory_settings)

    async def connect(_: Settings) -> Client:
        return client

    monkeypatch.setattr(temporal_client, "connect", connect)
    by_store = QueueFilter(store_id=STORE)
    assert await exception_commands.list_exceptions(settings, by_store, as_json=True) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(item["workflow_id"], item["owner"]) for item in listed] == [
        (txn.workflow_id, "finance")
    ]
    as_it = QueueFilter(role=ExceptionOwner.IT, store_id=STORE)
    assert await exception_commands.list_exceptions(settings, as_it, as_json=True) == 0
    assert capsys.readouterr().out == "", "erp_rejected is finance's here"

    memory_erp.clear_faults()
    finance = QueueFilter(role=ExceptionOwner.FINANCE, store_id=STORE)
    retried = await exception_commands.act(settings, finance, [], OperatorAction.RETRY, "unlocked")
    assert retried == 0
    assert capsys.readouterr().out.startswith(
        f"{txn.workflow_id}: retrying the books after erp_rejected"
    )
    status = await wait_for_stage(client, txn.workflow_id, {SyncStage.POSTED})
    assert status.outcome is Outcome.POSTED
    unfiltered = await exception_commands.act(
        settings, QueueFilter(), [], OperatorAction.ABANDON, "all of them?"
    )
    assert unfiltered == 2
    assert "name exception ids or a filter" in capsys.readouterr().err
