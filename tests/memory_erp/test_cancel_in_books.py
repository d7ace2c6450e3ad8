"""A cancel that reaches a run in its books (per-transaction mode: the sale's posting, payment
and stock issue in one ERP step) parks the books: the goods left the till, so the reservation
stays, and half a posting must not be left without a run to finish or undo it. An operator
then retries or abandons the run, as for any failure there."""

import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.errors import ErpUnavailable
from connectors.erp.memory import MemoryErp
from domain.outcomes import ExceptionKind, Outcome, SyncStage
from starter.control.runs import abandon_run, retry_run
from starter.intake.submission import Submitter, wait_settled
from tests.e2e.helpers import new_id, status_of
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import (
    BOOKED,
    calls_reach,
    events,
    exceptions_of,
    replays_cleanly,
    settled_on_attempt,
)

pytestmark = pytest.mark.temporal


async def _cancelled_in_books(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, till_sku: str
) -> str:
    """A sale whose posting the ERP keeps failing (the books retry it), cancelled then."""
    txn = make_sale(new_id(), [sale_line(1, till_sku, "1", "3.60")])
    memory_erp.fail("post", ErpUnavailable("502"), times=None, reference=txn.workflow_id)
    posts = memory_erp.calls["post"]
    await submitter.submit(txn)
    await calls_reach(memory_erp, "post", posts + 1)
    await client.get_workflow_handle(txn.workflow_id).cancel()
    assert (await wait_settled(client, txn.workflow_id)).outcome is Outcome.PARKED
    return txn.workflow_id


async def test_a_cancel_during_the_books_parks_them_with_the_stock_reserved(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    workflow_id = await _cancelled_in_books(submitter, client, memory_erp, "100001")

    status = await status_of(client, workflow_id)
    assert status.failure is not None, status
    assert status.failure.kind is ExceptionKind.CANCELLED, status.failure
    assert "the reservation stands" in status.failure.message
    assert "cancelled" in exceptions_of(memory_engine, workflow_id)
    assert events(memory_erp, workflow_id) == ["reserved"], "the reservation stands"
    memory_erp.clear_faults("post")
    await retry_run(client, workflow_id)
    retried = await settled_on_attempt(client, workflow_id, 2)
    assert retried.stage is SyncStage.POSTED, retried
    assert memory_erp.effects(workflow_id) == BOOKED
    await replays_cleanly(client, workflow_id)


async def test_a_run_cancelled_in_its_books_can_be_abandoned(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    workflow_id = await _cancelled_in_books(submitter, client, memory_erp, "100002")
    memory_erp.clear_faults("post")

    await abandon_run(client, workflow_id, "cancelled by the store")

    ended = await wait_settled(client, workflow_id)
    assert ended.outcome is Outcome.ABANDONED, ended
    assert events(memory_erp, workflow_id)[0] == "reserved"
    assert "released" not in events(memory_erp, workflow_id), "the goods left the till"
    await replays_cleanly(client, workflow_id)
