"""``tillsync exceptions list|retry|abandon`` with the page's filters (--role, --kind,
--store, --json) and a configured owner, on the memory-ERP stack (a store of its own)."""

import json

import pytest
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

import worker
from connectors.erp.memory import MemoryErp
from domain.outcomes import Outcome, SyncStage
from domain.settings import Settings
from starter import cli
from starter.submission import Submitter
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

    monkeypatch.setattr(worker, "connect", connect)
    parser = cli._parser()
    listing = parser.parse_args(["exceptions", "list", "--store", STORE, "--json"])
    assert await listing.handler(listing, settings) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(item["workflow_id"], item["owner"]) for item in listed] == [
        (txn.workflow_id, "finance")
    ]
    as_it = parser.parse_args(["exceptions", "list", "--role", "it", "--store", STORE])
    assert await as_it.handler(as_it, settings) == 0
    assert capsys.readouterr().out == "", "erp_rejected is finance's here"

    memory_erp.clear_faults()
    retry = parser.parse_args(
        ["exceptions", "retry", "--role", "finance", "--store", STORE, "--note", "unlocked"]
    )
    assert await retry.handler(retry, settings) == 0
    assert capsys.readouterr().out.startswith(
        f"{txn.workflow_id}: retrying the books after erp_rejected"
    )
    status = await wait_for_stage(client, txn.workflow_id, {SyncStage.POSTED})
    assert status.outcome is Outcome.POSTED
    unfiltered = parser.parse_args(["exceptions", "abandon", "--reason", "all of them?"])
    assert await unfiltered.handler(unfiltered, settings) == 2
