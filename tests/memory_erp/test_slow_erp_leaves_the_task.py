"""A reservation the ERP does not answer in time leaves the workflow task (issue 14's chaos
run: a reservation held inside a workflow task past its timeout was run again by another
worker, over and over). Here the run's own history is the evidence: which task the
reservation ran in is the behaviour under test."""

import asyncio

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from activities.admission import RESERVE_WITHIN_SECONDS
from connectors.erp.errors import ErpUnavailable
from connectors.erp.memory import MemoryErp
from domain.outcomes import Outcome
from starter.intake.submission import Submitter, wait_settled
from tests.e2e.helpers import new_id
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import BOOKED, replays_cleanly
from workflows import policies

pytestmark = pytest.mark.temporal


async def _reserve_scheduled_as_activity(client: Client, workflow_id: str) -> bool:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return any(
        event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and event.activity_task_scheduled_event_attributes.activity_type.name == "erp.reserve"
        for event in history.events
    )


async def test_a_reservation_the_erp_keeps_refusing_moves_to_an_activity_and_books_once(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])
    memory_erp.fail("reserve", ErpUnavailable("503: busy"), times=None, reference=txn.workflow_id)
    try:
        _, started = await submitter.submit(txn)
        assert started
        budget = policies.LOCAL_BUDGET.total_seconds()
        async with asyncio.timeout(budget + 30):
            while True:
                if await _reserve_scheduled_as_activity(client, txn.workflow_id):
                    break
                await asyncio.sleep(0.2)
    finally:
        memory_erp.clear_faults()

    result = await wait_settled(client, txn.workflow_id)

    assert result.outcome is Outcome.POSTED, result
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    history = await client.get_workflow_handle(txn.workflow_id).fetch_history()
    kinds = [event.event_type for event in history.events]
    assert EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT not in kinds
    reserves = [
        event
        for event in history.events
        if event.activity_task_scheduled_event_attributes.activity_type.name == "erp.reserve"
    ]
    assert len(reserves) == 1, "one activity, retried until the ERP answered"
    await replays_cleanly(client, txn.workflow_id)


async def test_a_reservation_slower_than_the_budget_moves_to_an_activity_and_replays(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    """The admission gives the reservation up, the stock stage's local attempt times out
    (its marker records the timeout) waiting for the same reservation; the activity books."""
    txn = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])
    slower = RESERVE_WITHIN_SECONDS + policies.LOCAL_BUDGET.total_seconds() + 1
    memory_erp.slow_down("reserve_many", slower)
    try:
        result, started = await submitter.submit(txn)
        assert started, result
        settled = await wait_settled(client, txn.workflow_id)
    finally:
        memory_erp.clear_faults()

    assert settled.outcome is Outcome.POSTED, settled
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    assert await _reserve_scheduled_as_activity(client, txn.workflow_id)
    await replays_cleanly(client, txn.workflow_id)
