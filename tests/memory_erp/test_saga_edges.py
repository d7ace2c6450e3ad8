"""The saga's edge cases (issue 10) on the memory ERP: an error in the workflow's own code parks
the run instead of failing its workflow task forever, and a retry re-runs the stage; a cancel
that arrives while compensations run still lets every one of them run; after a successful
retry the run no longer shows the old failure; a customer the ERP does not know never blocks
the sale (booked to the cash-sale customer, or created in the ERP)."""

import asyncio
import decimal
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import CancelledError
from temporalio.testing import WorkflowEnvironment

from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.erp.memory import MemoryErp
from domain.erp_order import ErpOrder
from domain.order_plan import plan_erp_order
from domain.outcomes import Outcome
from domain.settings import Settings, UnknownCustomer
from domain.transaction import PosTransaction
from starter.control.runs import abandon_run, retry_run
from starter.intake.submission import Submitter, wait_settled
from tests.e2e.helpers import new_id, status_of, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import (
    BOOKED,
    calls_reach,
    events,
    exceptions_of,
    parked_in_books,
    replays_cleanly,
    settled_on_attempt,
)
from worker import build_worker
from workflows import search_attributes as attrs
from workflows import ticket_stages
from workflows.pos_transaction import PosTransactionWorkflow

pytestmark = pytest.mark.temporal


async def exception_kind_attribute(client: Client, workflow_id: str) -> str | None:
    described = await client.get_workflow_handle(workflow_id).describe()
    return described.typed_search_attributes.get(attrs.EXCEPTION_KIND)


async def test_an_error_in_the_workflow_code_parks_the_run_and_retry_reruns_the_stage(
    submitter: Submitter,
    client: Client,
    memory_erp: MemoryErp,
    memory_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A defect in the planning rules: planning this ticket's first attempt raises a Python error
    # inside the workflow (not a business failure of a step). Keyed on the attempt's ERP
    # reference, so a replay of the run meets the same error (as it would after a deploy of a
    # fix guarded by workflow.patched) while the retry's attempt plans cleanly.
    txn = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")])

    def planner_with_a_defect(
        ticket: PosTransaction, mapping: Any, reference: str, *args: Any
    ) -> ErpOrder:
        if reference == txn.workflow_id:
            raise decimal.InvalidOperation([decimal.InvalidOperation])
        return plan_erp_order(ticket, mapping, reference, *args)

    monkeypatch.setattr(ticket_stages, "plan_erp_order", planner_with_a_defect)

    async with asyncio.timeout(20):
        parked = await submit_and_wait(submitter, client, txn)

    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, "internal_error"), parked
    assert "InvalidOperation" in (parked.message or ""), parked.message
    assert exceptions_of(memory_engine, txn.workflow_id)["internal_error"][0] == "it"
    # The admission reserved the sale before the workflow planned it: the stage gave it back.
    assert memory_erp.effects(txn.workflow_id) == {"reserved": 1, "released": 1}

    await retry_run(client, txn.workflow_id, "planning fixed")
    posted = await settled_on_attempt(client, txn.workflow_id, 2)

    assert posted.outcome is Outcome.POSTED, posted
    assert memory_erp.effects(f"{txn.workflow_id}~2") == BOOKED
    assert "internal_error" in exceptions_of(memory_engine, txn.workflow_id, state="resolved")
    await replays_cleanly(client, txn.workflow_id)


async def cancelled_result(client: Client, workflow_id: str) -> None:
    handle = client.get_workflow_handle(workflow_id)
    async with asyncio.timeout(20):
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    assert isinstance(failed.value.cause, CancelledError), failed.value.cause


async def test_a_cancel_while_the_reservation_is_released_still_releases_it(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100005", "2", "1.20")])
    bags = memory_erp.stock_of("BAG-001", "WH-LON")
    memory_erp.fail(
        "reserve", ErpRejected("credit hold"), reference=txn.workflow_id, after_effect=True
    )
    memory_erp.fail(
        "release_if_present",
        ErpUnavailable("ERP restarting"),
        times=None,
        reference=txn.workflow_id,
    )
    releases = memory_erp.calls["release_if_present"]

    await submitter.submit(txn)
    await calls_reach(memory_erp, "release_if_present", releases + 1)
    await client.get_workflow_handle(txn.workflow_id).cancel()
    await asyncio.sleep(0.3)
    memory_erp.clear_faults("release_if_present")
    await cancelled_result(client, txn.workflow_id)

    assert events(memory_erp, txn.workflow_id) == ["reserved", "released"]
    assert memory_erp.stock_of("BAG-001", "WH-LON") == bags
    await replays_cleanly(client, txn.workflow_id)


async def test_a_cancel_while_abandoned_books_are_undone_still_runs_every_older_undo(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100003", "4", "2.40")])
    memory_erp.fail("commit", ErpRejected("shipment on hold"), reference=txn.workflow_id)
    parked = await submit_and_wait(submitter, client, txn)
    assert parked.outcome is Outcome.PARKED, parked
    assert events(memory_erp, txn.workflow_id) == ["reserved", "posted", "paid"]
    memory_erp.fail(
        "void_payments_if_present", ErpUnavailable("502"), times=None, reference=txn.workflow_id
    )
    voids = memory_erp.calls["void_payments_if_present"]
    cancels = memory_erp.calls["cancel_posting_if_present"]

    await abandon_run(client, txn.workflow_id, "training till")
    await calls_reach(memory_erp, "void_payments_if_present", voids + 1)
    await client.get_workflow_handle(txn.workflow_id).cancel()
    await asyncio.sleep(0.3)
    memory_erp.clear_faults("void_payments_if_present")
    await cancelled_result(client, txn.workflow_id)

    assert memory_erp.calls["cancel_posting_if_present"] > cancels, "the older undo ran"
    assert events(memory_erp, txn.workflow_id) == [
        "reserved",
        "posted",
        "paid",
        "payments_voided",
        "posting_cancelled",
    ]
    assert txn.workflow_id not in memory_erp.standing_postings()
    await replays_cleanly(client, txn.workflow_id)


async def test_after_a_successful_retry_the_run_no_longer_shows_the_old_failure(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])
    parked = await parked_in_books(submitter, client, memory_erp, txn)
    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, "erp_rejected"), parked
    assert await exception_kind_attribute(client, txn.workflow_id) == "erp_rejected"

    memory_erp.clear_faults()
    await retry_run(client, txn.workflow_id, "books unlocked")
    posted = await settled_on_attempt(client, txn.workflow_id, 2)
    final = await client.get_workflow_handle_for(
        PosTransactionWorkflow.run, txn.workflow_id
    ).result()

    assert posted.outcome is Outcome.POSTED, posted
    assert (posted.failure, final.failure) == (None, None)
    assert (await wait_settled(client, txn.workflow_id)).exception_kind is None
    assert await exception_kind_attribute(client, txn.workflow_id) is None
    await replays_cleanly(client, txn.workflow_id)


async def test_a_customer_the_erp_does_not_know_books_to_the_cash_sale_customer(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    lines = [sale_line(1, "100001", "1", "3.60")]
    stranger = make_sale(new_id(), lines, customer={"customer_id": "LOYAL-9999"})
    regular = make_sale(new_id(), lines, customer={"customer_id": "LOYAL-0001"})
    # The answer to the cash-sale reservation is lost: the retried activity finds the sale.
    memory_erp.fail(
        "reserve", ErpUnavailable("timed out"), reference=stranger.workflow_id, after_effect=True
    )

    posted = await submit_and_wait(submitter, client, stranger)
    known = await submit_and_wait(submitter, client, regular)

    assert (posted.outcome, known.outcome) == (Outcome.POSTED, Outcome.POSTED), (posted, known)
    assert memory_erp.effects(stranger.workflow_id) == BOOKED
    assert memory_erp.pending_faults == [], "the cash-sale reservation's answer was lost once"
    assert memory_erp.order(stranger.workflow_id).order.customer_code is None, "cash sale"
    assert memory_erp.order(regular.workflow_id).order.customer_code == "LOYAL-0001"
    status = await status_of(client, stranger.workflow_id)
    assert status.erp is not None and status.erp.unknown_customer == "LOYAL-9999"
    assert exceptions_of(memory_engine, stranger.workflow_id)["unknown_customer"] == (
        "store_ops",
        None,
    )
    assert not exceptions_of(memory_engine, regular.workflow_id)
    await replays_cleanly(client, stranger.workflow_id)


@pytest.fixture(scope="module")
async def creating_submitter(
    skipping_env: WorkflowEnvironment,
    memory_settings: Settings,
    memory_engine: Engine,
    memory_erp: MemoryErp,
) -> AsyncIterator[Submitter]:
    """Submits to a worker of its own, set to create the customers the ERP does not know."""
    settings = memory_settings.model_copy(
        update={
            "task_queue": "tillsync-memory-create",
            "unknown_customer": UnknownCustomer.CREATE,
            "max_concurrent_activities": 4,
        }
    )
    with ThreadPoolExecutor(max_workers=4) as executor:
        worker = build_worker(
            skipping_env.client, settings, memory_erp, memory_erp, executor=executor
        )
        async with worker:
            yield Submitter(skipping_env.client, memory_engine, settings.task_queue)


async def test_a_customer_the_erp_does_not_know_is_created_when_the_worker_is_set_to_create(
    creating_submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    customer = new_id("LOYAL")
    lines = [sale_line(1, "100001", "1", "3.60")]
    first, second = (make_sale(new_id(), lines, customer={"customer_id": customer}) for _ in "12")
    # The customer is created but the answer is lost: the retried reservation finds it.
    memory_erp.fail(
        "create_customer_if_missing",
        ErpUnavailable("timed out"),
        reference=customer,
        after_effect=True,
    )
    creations = memory_erp.calls["create_customer_if_missing"]

    posted = [await submit_and_wait(creating_submitter, client, txn) for txn in (first, second)]

    assert [result.outcome for result in posted] == [Outcome.POSTED, Outcome.POSTED], posted
    assert memory_erp.pending_faults == [], "the creation's answer was lost once"
    assert memory_erp.calls["create_customer_if_missing"] - creations == 1, (
        "created once: the retried reservation and the second ticket find the customer"
    )
    assert memory_erp.knows_customer(customer)
    for txn in (first, second):
        assert memory_erp.effects(txn.workflow_id) == BOOKED
        assert memory_erp.order(txn.workflow_id).order.customer_code == customer
        status = await status_of(client, txn.workflow_id)
        assert status.erp is not None and status.erp.unknown_customer is None
        assert not exceptions_of(memory_engine, txn.workflow_id)
    await replays_cleanly(client, first.workflow_id)
