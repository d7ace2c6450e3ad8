"""Receipt gaps over the ingest: a missing receipt number left open past the grace period (one
hour, skipped by a time-skipping Temporal dev server) becomes a receipt_gap exception naming it;
the exception closes when the ticket arrives."""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from domain.receipts import TerminalRef
from domain.settings import Settings
from starter.ingest.server import build_app
from store.db import session_scope
from store.exceptions import list_exceptions
from store.tables import SyncException
from tests.e2e.helpers import new_id
from tests.erp_fixtures import sandbox_settings
from tests.factories import make_sale, sale_line
from tests.ingest.signing import SECRETS, post_signed
from tests.store_fixtures import open_store
from tests.temporal_fixtures import time_skipping_server, workers_running

pytestmark = [pytest.mark.temporal]

GRACE = timedelta(hours=1)


@pytest.fixture(scope="module")
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    async with time_skipping_server() as env:
        yield env


@pytest.fixture(scope="module")
def gap_settings(
    tmp_path_factory: pytest.TempPathFactory, erp_sandbox: TrytonSandboxInfo
) -> Settings:
    data_dir = tmp_path_factory.mktemp("gaps")
    return sandbox_settings(
        data_dir,
        erp_sandbox,
        "tillsync-gaps",
        store_secrets=SecretStr(json.dumps(SECRETS)),
        receipt_gap_grace_seconds=int(GRACE.total_seconds()),
    )


@pytest.fixture(scope="module")
def gap_engine(gap_settings: Settings) -> Iterator[Engine]:
    with open_store(gap_settings.resolved_store_url) as engine:
        yield engine


@pytest.fixture(scope="module")
async def gap_http(
    skipping_env: WorkflowEnvironment, gap_settings: Settings, gap_engine: Engine
) -> AsyncIterator[httpx.AsyncClient]:
    async with workers_running(skipping_env.client, gap_settings):
        app = build_app(gap_settings, skipping_env.client)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
            yield client


async def post_receipt(http: httpx.AsyncClient, terminal: str, number: int) -> None:
    """A voided ticket: it posts nothing to the ERP, but it used up its receipt number."""
    txn = make_sale(
        f"{terminal}-{number}",
        [sale_line(1, "100001", "1", "3.60")],
        terminal_id=terminal,
        receipt_number=number,
        status="voided",
    )
    response = await post_signed(http, "/v1/transactions", txn.model_dump_json().encode(), "S001")
    assert response.status_code == 202, response.text


def gap_exceptions(engine: Engine, terminal: str, state: str | None) -> list[SyncException]:
    with session_scope(engine) as session:
        return [
            record
            for record in list_exceptions(session, state=state, store_id="S001")
            if record.kind == "receipt_gap" and record.terminal_id == terminal
        ]


async def eventually(
    engine: Engine,
    terminal: str,
    state: str,
    missing: list[list[int]] | None = None,
    within: float = 60,
) -> SyncException:
    """The terminal's first gap exception in ``state`` (naming ``missing``), once there is one."""
    async with asyncio.timeout(within):
        while True:
            for record in gap_exceptions(engine, terminal, state):
                if missing is None or record.details["missing"] == missing:
                    return record
            await asyncio.sleep(0.1)


async def test_a_missing_receipt_raises_a_gap_exception_that_closes_when_it_arrives(
    gap_http: httpx.AsyncClient, skipping_env: WorkflowEnvironment, gap_engine: Engine
) -> None:
    terminal = new_id("T")
    client: Client = skipping_env.client
    for number in (1, 2, 5, 6):
        await post_receipt(gap_http, terminal, number)

    opened = await eventually(gap_engine, terminal, "open")

    assert opened.details == {"missing": [[3, 4]], "missing_count": 2}
    assert opened.message == f"store S001 terminal {terminal}: missing 3-4"
    assert (opened.owner, opened.workflow_id) == ("store_ops", None)
    watcher = client.get_workflow_handle(
        TerminalRef(store_id="S001", terminal_id=terminal).watcher_id
    )
    start = (await watcher.describe()).start_time
    assert await skipping_env.get_current_time(watcher) >= start + GRACE, "not before the grace"

    await post_receipt(gap_http, terminal, 4)
    narrowed = await eventually(gap_engine, terminal, "open", missing=[[3, 3]])
    await post_receipt(gap_http, terminal, 3)
    resolved = await eventually(gap_engine, terminal, "resolved")

    assert narrowed.id == resolved.id == opened.id
    assert resolved.resolution == "the missing receipts arrived"
    assert gap_exceptions(gap_engine, terminal, "open") == []
    await asyncio.wait_for(watcher.result(), 30)
    assert (await watcher.describe()).status is WorkflowExecutionStatus.COMPLETED


async def test_receipts_in_sequence_start_no_watcher(
    gap_http: httpx.AsyncClient, skipping_env: WorkflowEnvironment, gap_engine: Engine
) -> None:
    terminal = new_id("T")
    for number in (7, 8, 9):
        await post_receipt(gap_http, terminal, number)

    watchers = [
        execution
        async for execution in skipping_env.client.list_workflows(
            f"WorkflowId = 'receipt-gaps-S001-{terminal}'"
        )
    ]
    assert watchers == []
    assert gap_exceptions(gap_engine, terminal, None) == []
