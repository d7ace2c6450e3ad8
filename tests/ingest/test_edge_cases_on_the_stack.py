"""Issue 10's cases that involve a workflow, through the HTTP ingest on the real Temporal dev
server: a worker on the memory ERP books what the ingest starts, and each case is checked in
the ERP's books and the store. One stack for the module: one worker per way of treating a
customer the ERP does not know, sharing the ERP, the store and the rejects file."""

import asyncio
import json
from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any

import pytest
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from connectors.erp.errors import ErpRejected
from domain.ids import transaction_workflow_id
from domain.limits import MAX_LINES
from domain.outcomes import Outcome
from domain.receipts import TerminalRef
from domain.settings import UnknownCustomer
from domain.transaction import PosTransaction
from starter.control.runs import retry_run
from starter.ingest.server import build_app
from starter.intake.submission import wait_settled
from store.db import session_scope
from store.exceptions import list_exceptions
from tests.e2e.helpers import new_id
from tests.factories import make_sale, sale_line
from tests.ingest.edge_stack import OTHER_STORE, Stack, edge_stack
from tests.ingest.test_http_ingest import was_started
from tests.memory_erp.saga_helpers import BOOKED, exceptions_of, settled_on_attempt

pytestmark = pytest.mark.temporal


@pytest.fixture(scope="module")
async def stack(
    temporal_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async with edge_stack(temporal_env.client, tmp_path_factory.mktemp("ingest-edges")) as built:
        yield built


def tea(transaction_id: str | None = None, **changes: Any) -> PosTransaction:
    return make_sale(transaction_id or new_id(), [sale_line(1, "100001", "1", "3.60")], **changes)


def body(*tickets: PosTransaction | dict[str, Any]) -> bytes:
    records = [
        ticket.model_dump(mode="json") if isinstance(ticket, PosTransaction) else ticket
        for ticket in tickets
    ]
    return json.dumps(records if len(records) > 1 else records[0]).encode()


async def posted_once(stack: Stack, *tickets: PosTransaction) -> None:
    for txn in tickets:
        result = await wait_settled(stack.client, txn.workflow_id)
        assert result.outcome is Outcome.POSTED, result
        assert stack.erp.standing_postings()[txn.workflow_id] == 1, txn.workflow_id


async def test_tickets_whose_ids_used_to_collide_both_post_each_once(stack: Stack) -> None:
    number = new_id()
    by_terminal = tea(number, terminal_id="X-T1")
    by_store = tea(number, store_id=OTHER_STORE)

    answers = [
        await stack.post(body(by_terminal)),
        await stack.post(body(by_store), store_id=OTHER_STORE),
    ]

    assert [answer.json()["outcome"] for answer in answers] == ["started", "started"]
    assert by_terminal.workflow_id != by_store.workflow_id
    await posted_once(stack, by_terminal, by_store)
    for txn in (by_terminal, by_store):
        assert stack.erp.effects(txn.workflow_id) == BOOKED


async def test_a_ticket_named_like_anothers_second_attempt_posts_apart_from_it(
    stack: Stack,
) -> None:
    """Ticket N parks and is retried (its attempt 2 books under ``<id>~2``) while the till also
    rang a ticket named ``N~2``: each posts once, under its own ERP reference."""
    first = tea()
    named_like_its_retry = tea(f"{first.transaction_id}~2")
    stack.erp.fail("reserve", ErpRejected("credit hold"), reference=first.workflow_id)

    assert (await stack.post(body(first))).status_code == HTTPStatus.ACCEPTED
    parked = await wait_settled(stack.client, first.workflow_id)
    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, "erp_rejected"), parked
    assert (await stack.post(body(named_like_its_retry))).status_code == HTTPStatus.ACCEPTED
    await posted_once(stack, named_like_its_retry)
    await retry_run(stack.client, first.workflow_id, "credit hold lifted")
    retried = await settled_on_attempt(stack.client, first.workflow_id, 2)

    assert retried.outcome is Outcome.POSTED, retried
    assert retried.erp is not None and retried.erp.reference == f"{first.workflow_id}~2"
    assert named_like_its_retry.workflow_id != f"{first.workflow_id}~2"
    assert stack.erp.effects(f"{first.workflow_id}~2") == BOOKED
    assert stack.erp.effects(named_like_its_retry.workflow_id) == BOOKED
    assert stack.erp.standing_postings()[first.workflow_id] == 1


def _beyond_a_bound(case: str) -> tuple[dict[str, Any], str]:
    """A ticket that once started and then could not finish, and the field its 422 names."""
    ticket = tea().model_dump(mode="json")
    line = ticket["lines"][0]
    match case:
        case "unit price 1e30":
            line["unit_price"] = "1e30"
            return ticket, "lines.0.unit_price"
        case "10,000 lines":
            ticket["lines"] = [line | {"line_number": n} for n in range(1, 10_001)]
            return ticket, "lines"
        case "receipt number 2^31":
            ticket["receipt_number"] = 2**31
            return ticket, "receipt_number"
        case "money 1e14":
            ticket["tenders"][0]["amount"] = "100000000000000"
            return ticket, "tenders.0.amount"
        case "a lone surrogate":
            line["description"] = "tea \ud800"
            return ticket, "lines.0.description"
    raise ValueError(case)


@pytest.mark.parametrize(
    "case",
    ["unit price 1e30", "10,000 lines", "receipt number 2^31", "money 1e14", "a lone surrogate"],
)
async def test_what_cannot_finish_is_refused_naming_the_field_and_starts_nothing(
    stack: Stack, case: str
) -> None:
    ticket, field = _beyond_a_bound(case)

    answer = await stack.post(json.dumps(ticket).encode())

    assert answer.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, answer.text
    assert field in [error["field"] for error in answer.json()["errors"]], answer.json()
    workflow_id = transaction_workflow_id("S001", "T1", ticket["transaction_id"])
    assert not await was_started(stack.client, workflow_id)
    assert ticket["transaction_id"] in [row["transaction_id"] for row in stack.rejects()]


async def test_the_largest_ticket_accepted_finishes(stack: Stack) -> None:
    text = "d" * 120
    lines = [
        sale_line(number, "100001", "1", "9999.99", description=text)
        for number in range(1, MAX_LINES + 1)
    ]
    largest = make_sale(new_id(), lines)

    answer = await stack.post(body(largest))

    assert answer.status_code == HTTPStatus.ACCEPTED, answer.text
    await posted_once(stack, largest)
    assert len(stack.erp.order(largest.workflow_id).order.product_lines) == MAX_LINES


@pytest.mark.parametrize("mode", list(UnknownCustomer))
async def test_a_customer_the_erp_does_not_know(stack: Stack, mode: UnknownCustomer) -> None:
    customer = new_id("LOYAL")
    txn = tea(customer={"customer_id": customer})

    answer = await stack.post(body(txn), mode=mode)
    result = await wait_settled(stack.client, txn.workflow_id)

    assert answer.status_code == HTTPStatus.ACCEPTED, answer.text
    exceptions = exceptions_of(stack.engine, txn.workflow_id)
    if mode is UnknownCustomer.PARK:
        assert (result.outcome, result.exception_kind) == (Outcome.PARKED, "unknown_customer")
        assert exceptions["unknown_customer"][0] == "store_ops"
        assert not stack.erp.effects(txn.workflow_id), "nothing reserved"
        return
    assert result.outcome is Outcome.POSTED, result
    assert stack.erp.effects(txn.workflow_id) == BOOKED, "the stock is reserved regardless"
    booked_to = stack.erp.order(txn.workflow_id).order.customer_code
    if mode is UnknownCustomer.CREATE:
        assert (booked_to, stack.erp.knows_customer(customer)) == (customer, True)
        assert not exceptions
    else:
        assert (booked_to, stack.erp.knows_customer(customer)) == (None, False), "cash sale"
        assert exceptions["unknown_customer"][0] == "store_ops"


async def test_a_batch_of_five_good_tickets_and_a_bad_one_answers_each_and_posts_the_five(
    stack: Stack,
) -> None:
    good = [tea() for _ in range(5)]
    bad = tea().model_dump(mode="json") | {"receipt_number": 2**31}
    sent = body(*good[:3], bad, *good[3:])

    first = await stack.post(sent, batch=True)
    again = await stack.post(sent, batch=True)

    assert first.status_code == again.status_code == HTTPStatus.MULTI_STATUS
    assert [item["status"] for item in first.json()["results"]] == [202, 202, 202, 422, 202, 202]
    assert [item["status"] for item in again.json()["results"]] == [200, 200, 200, 422, 200, 200]
    assert first.json()["results"][3]["errors"][0]["field"] == "receipt_number"
    await posted_once(stack, *good)
    workflow_id = transaction_workflow_id("S001", "T1", bad["transaction_id"])
    assert not await was_started(stack.client, workflow_id)
    rejected = [row["transaction_id"] for row in stack.rejects()]
    assert rejected.count(bad["transaction_id"]) == 2, "each answer's reject is recorded"


async def test_a_start_refused_for_the_ingests_own_setup_is_a_500_not_a_503(
    stack: Stack, temporal_env: WorkflowEnvironment
) -> None:
    config = temporal_env.client.config()
    elsewhere = await Client.connect(
        temporal_env.client.service_client.config.target_host,
        namespace="tillsync-no-such-namespace",
        data_converter=config["data_converter"],
    )
    settings = stack.settings[UnknownCustomer.CASH_SALE]
    txn = tea()

    answer = await stack.post(body(txn), app=build_app(settings, elsewhere))

    assert answer.status_code == HTTPStatus.INTERNAL_SERVER_ERROR, answer.text
    assert answer.json()["outcome"] == "failed"
    assert "Retry-After" not in answer.headers
    assert "tillsync-no-such-namespace" in answer.json()["reason"]
    assert not await was_started(stack.client, txn.workflow_id)


async def test_receipts_ten_million_apart_are_one_jump(stack: Stack) -> None:
    terminal = new_id("T")
    for number in (1, 10_000_000):
        voided = tea(
            f"{terminal}-{number}", terminal_id=terminal, receipt_number=number, status="voided"
        )
        assert (await stack.post(body(voided))).status_code == HTTPStatus.ACCEPTED

    jumps = await _eventually_opened(stack.engine, terminal, "receipt_jump")

    assert [record.details for record in jumps] == [
        {"first": 2, "last": 9_999_999, "count": 9_999_998}
    ]
    # Nothing is waited for: the watcher ends at once instead of sleeping out the grace.
    watcher = stack.client.get_workflow_handle(
        TerminalRef(store_id="S001", terminal_id=terminal).watcher_id
    )
    await asyncio.wait_for(watcher.result(), 30)


async def _eventually_opened(engine: Engine, terminal: str, kind: str) -> list[Any]:
    """The terminal's open exceptions of ``kind``, once there is one."""
    async with asyncio.timeout(30):
        while True:
            with session_scope(engine) as session:
                found = [
                    record
                    for record in list_exceptions(session, state="open", store_id="S001")
                    if record.kind == kind and record.terminal_id == terminal
                ]
            if found:
                return found
            await asyncio.sleep(0.1)
