"""The saga's dates and waits end to end on a real worker and Temporal (with time skipping),
with the memory ERP: a closed period re-dates the posting; a return replayed before its
original waits for it on workflow timers, and parks at the deadline if it never comes."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from connectors.erp.memory import MemoryErp
from domain.outcomes import ExceptionKind, Outcome, SyncStage
from domain.settings import Settings
from starter.intake.submission import Submitter, wait_settled
from tests.e2e.helpers import (
    new_id,
    start_waiting_for_original,
    submit_and_wait,
    wait_for_stage,
)
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import exceptions_of, journal_of
from tests.till_tickets import returned
from workflows import policies

pytestmark = pytest.mark.temporal


async def test_a_closed_period_redates_the_posting_to_the_next_open_one(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    business_date = date(2025, 3, 14)
    march = memory_erp.period(business_date)
    await memory_erp.close_period(march.erp_id)
    try:
        txn = make_sale(
            new_id(), [sale_line(1, "100001", "1", "3.60")], business_date=business_date
        )
        result = await submit_and_wait(submitter, client, txn)
    finally:
        await memory_erp.reopen_period(march.erp_id)

    assert result.outcome is Outcome.POSTED, result
    assert memory_erp.order(txn.workflow_id).posting_date == date(2025, 4, 1)
    assert journal_of(memory_engine, txn.workflow_id)["posting_date"] == date(2025, 4, 1)
    assert exceptions_of(memory_engine, txn.workflow_id)["period_redated"][0] == "finance"


async def virtual_elapsed(env: WorkflowEnvironment, client: Client, workflow_id: str) -> timedelta:
    handle = client.get_workflow_handle(workflow_id)
    started = (await handle.describe()).start_time
    return await env.get_current_time(handle) - started


async def test_a_return_waits_for_its_original_on_timers_that_time_skipping_passes(
    skipping_env: WorkflowEnvironment,
    submitter: Submitter,
    client: Client,
    memory_erp: MemoryErp,
) -> None:
    sale = make_sale(new_id(), [sale_line(1, "100002", "2", "9.00")])
    refund = make_sale(new_id("RT"), [returned(1, "100002", "-1", "9.00", sale)], kind="return")
    wall = time.monotonic()

    await submitter.submit(refund)
    await wait_for_stage(client, refund.workflow_id, {SyncStage.WAITING_ORIGINAL})
    assert (await submit_and_wait(submitter, client, sale)).outcome is Outcome.POSTED
    result = await wait_settled(client, refund.workflow_id)
    wall_elapsed = time.monotonic() - wall

    assert result.outcome is Outcome.POSTED, result
    [line] = memory_erp.order(refund.workflow_id).order.product_lines
    assert line.return_of_reference == sale.workflow_id
    returnable = await memory_erp.returnable_quantity(sale.workflow_id, 1)
    assert (returnable.sold, returnable.returned) == (Decimal(2), Decimal(1))
    waited = await virtual_elapsed(skipping_env, client, refund.workflow_id)
    assert waited >= policies.ORIGINAL_FIRST_RECHECK, "it slept on a workflow timer"
    assert wall_elapsed < waited.total_seconds()


async def test_a_return_whose_original_never_arrives_parks_at_the_deadline(
    skipping_env: WorkflowEnvironment,
    client: Client,
    memory_settings: Settings,
    memory_engine: Engine,
    memory_worker: None,
) -> None:
    never_sent = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")])
    refund = make_sale(
        new_id("RT"), [returned(1, "100001", "-1", "3.60", never_sent)], kind="return"
    )
    wait = timedelta(hours=1)
    wall = time.monotonic()
    await start_waiting_for_original(client, refund, wait, memory_settings.task_queue)

    result = await wait_settled(client, refund.workflow_id)

    assert (result.outcome, result.exception_kind) == (
        Outcome.PARKED,
        ExceptionKind.ORIGINAL_MISSING.value,
    )
    assert never_sent.transaction_id in (result.message or "")
    assert "original_missing" in exceptions_of(memory_engine, refund.workflow_id)
    assert await virtual_elapsed(skipping_env, client, refund.workflow_id) >= wait
    assert time.monotonic() - wall < 30, "an hour of waiting passed in seconds"
