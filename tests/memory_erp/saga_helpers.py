"""What the memory-ERP saga tests read back: the store's exceptions and journal, the ERP's
history of an order, and a run's status after an operator acted on it."""

import asyncio
import json
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from connectors.erp.errors import ErpRejected
from connectors.erp.memory import MemoryErp
from domain.outcomes import Outcome, SyncStatus
from domain.transaction import PosTransaction
from starter.intake.submission import SubmitResult, Submitter
from store.db import session_scope
from store.exceptions import list_exceptions
from store.journal import find_entry
from tests.codec_keys import codec_converter
from tests.e2e.helpers import status_of, submit_and_wait
from worker import WORKFLOW_RUNNER, WORKFLOWS

BOOKED = {"reserved": 1, "posted": 1, "paid": 1, "committed": 1}
"""A sale's effects in the memory ERP once booked, each once."""


def exceptions_of(engine: Engine, workflow_id: str, state: str = "open") -> dict[str, Any]:
    with session_scope(engine) as session:
        return {
            record.kind: (record.owner, record.resolution)
            for record in list_exceptions(session, state=state)
            if record.workflow_id == workflow_id
        }


def journal_of(engine: Engine, workflow_id: str) -> dict[str, Any]:
    with session_scope(engine) as session:
        entry = find_entry(session, workflow_id)
        assert entry is not None, f"{workflow_id} is not journaled"
        return entry.model_dump()


def events(erp: MemoryErp, reference: str) -> list[str]:
    return [event for _, event in erp.order(reference).history]


async def settled_on_attempt(client: Client, workflow_id: str, attempt: int) -> SyncStatus:
    """The run's status once it settled again after an operator's ``retry``."""
    async with asyncio.timeout(30):
        while True:
            status = await status_of(client, workflow_id)
            if status.attempts >= attempt and status.stage.is_settled:
                return status
            await asyncio.sleep(0.05)


async def replays_cleanly(client: Client, workflow_id: str) -> None:
    """The run's history replays on this code without a nondeterminism error (as it must for
    a worker that picks the run up after a restart, or a query of an evicted run)."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    replayer = Replayer(
        workflows=WORKFLOWS, data_converter=codec_converter(), workflow_runner=WORKFLOW_RUNNER
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{workflow_id}: {result.replay_failure}"


async def parked_in_books(
    submitter: Submitter, client: Client, erp: MemoryErp, txn: PosTransaction
) -> SubmitResult:
    """Submit ``txn`` while the ERP refuses its posting: the run parks in its books."""
    erp.fail("post", ErpRejected("books locked"), times=None, reference=txn.workflow_id)
    parked = await submit_and_wait(submitter, client, txn)
    assert parked.outcome is Outcome.PARKED, parked
    return parked


async def calls_reach(erp: MemoryErp, step: str, count: int) -> None:
    """Wait until ``step`` was called ``count`` times in all (e.g. a failing undo's first try)."""
    async with asyncio.timeout(20):
        while True:
            if erp.calls[step] >= count:
                return
            await asyncio.sleep(0.02)


def patch_markers(history: WorkflowHistory) -> list[str]:
    return [
        json.loads(marker.details["patch-data"].payloads[0].data)["id"]
        for event in history.events
        if (marker := event.marker_recorded_event_attributes).marker_name == "core_patch"
    ]


def upserts(history: WorkflowHistory) -> list[tuple[str, Any]]:
    """Each search attribute the run wrote, with its value, in order."""
    return [
        (name, json.loads(payload.data))
        for event in history.events
        if event.HasField("upsert_workflow_search_attributes_event_attributes")
        for name, payload in (
            event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields.items()
        )
    ]
