"""The saga end to end on a real worker and Temporal (with time skipping), fast because the ERP
is the memory stand-in: each outcome is proven on the ERP's own books, the run's ``status``
query and the store's journal and exceptions, never on which activities ran. Its dates and
waits: test_saga_dates_on_memory_erp.py."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.erp.memory import InvoiceState, MemoryErp, StockState
from domain.mapping import MappingKind, MappingRow
from domain.outcomes import Outcome, SyncStage
from starter.control.runs import abandon_run, retry_run
from starter.intake.submission import Submitter
from store.db import session_scope
from store.mappings import import_mappings
from tests.e2e.helpers import (
    new_id,
    status_of,
    submit_and_wait,
)
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import (
    BOOKED,
    events,
    exceptions_of,
    journal_of,
    settled_on_attempt,
)
from workflows.pos_transaction import PosTransactionWorkflow

pytestmark = pytest.mark.temporal


@pytest.fixture(autouse=True)
def no_faults_left(memory_erp: MemoryErp) -> Iterator[None]:
    yield
    memory_erp.clear_faults()


async def test_a_sale_is_reserved_posted_paid_and_committed_once(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    txn = make_sale(
        new_id(), [sale_line(1, "100001", "2", "3.60"), sale_line(2, "100002", "1", "9.00")]
    )
    tea = memory_erp.stock_of("TEA-001", "WH-LON")

    result = await submit_and_wait(submitter, client, txn)
    duplicate, started = await submitter.submit(txn)

    assert result.outcome is Outcome.POSTED, result
    assert (duplicate.outcome, started) == (Outcome.DUPLICATE, False)
    order = memory_erp.order(txn.workflow_id)
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    assert (order.stock, order.invoice) == (StockState.ISSUED, InvoiceState.PAID)
    after = memory_erp.stock_of("TEA-001", "WH-LON")
    assert (after.on_hand, after.available) == (tea.on_hand - 2, tea.available - 2)
    status = await status_of(client, txn.workflow_id)
    assert status.stage is SyncStage.POSTED and status.erp is not None
    assert (status.erp.invoice_id, status.erp.payment_move_ids) == (
        order.invoice_id,
        [payment.move_id for payment in order.payments],
    )
    journal = journal_of(memory_engine, txn.workflow_id)
    assert (journal["outcome"], journal["erp_invoice_id"]) == ("posted", order.invoice_id)
    assert journal["gross_total"] == txn.totals.gross
    assert txn.workflow_id not in memory_erp.posted_twice()


@pytest.mark.parametrize("unknown", ["product", "warehouse"])
async def test_a_code_the_erp_lacks_parks_until_it_has_it_then_retry_posts(
    unknown: str,
    submitter: Submitter,
    client: Client,
    memory_erp: MemoryErp,
    memory_engine: Engine,
) -> None:
    sku, store, code = new_id("SKU"), new_id("S"), new_id("ERP")
    if unknown == "product":
        row = MappingRow(kind=MappingKind.SKU, pos_code=sku, erp_code=code)
        txn = make_sale(new_id(), [sale_line(1, sku, "1", "1.80")])
    else:
        row = MappingRow(kind=MappingKind.LOCATION, store_id=store, erp_code=code)
        txn = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")], store_id=store)
    with session_scope(memory_engine) as session:
        import_mappings(session, [row])
    kind = "unmapped_sku" if unknown == "product" else "unmapped_location"

    parked = await submit_and_wait(submitter, client, txn)

    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, kind), parked
    assert code in (parked.message or "")
    assert not [order for order in memory_erp.orders() if order.workflow_id == txn.workflow_id]
    assert exceptions_of(memory_engine, txn.workflow_id)[kind][0] == "it"

    memory_erp.add_codes(**{f"{unknown}s": [code]})
    await retry_run(client, txn.workflow_id, f"{unknown} {code} created in the ERP")
    posted = await settled_on_attempt(client, txn.workflow_id, 2)

    assert posted.outcome is Outcome.POSTED, posted
    assert memory_erp.effects(f"{txn.workflow_id}~2") == BOOKED
    assert kind in exceptions_of(memory_engine, txn.workflow_id, state="resolved")
    assert kind not in exceptions_of(memory_engine, txn.workflow_id)


async def test_a_refusal_after_the_reservation_took_effect_releases_it_and_retry_books_anew(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100005", "3", "1.20")])
    bags = memory_erp.stock_of("BAG-001", "WH-LON")
    memory_erp.fail(
        "reserve",
        ErpRejected("customer on credit hold"),
        reference=txn.workflow_id,
        after_effect=True,
    )

    parked = await submit_and_wait(submitter, client, txn)

    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, "erp_rejected"), parked
    assert "credit hold" in (parked.message or "")
    assert events(memory_erp, txn.workflow_id) == ["reserved", "released"], "compensated"
    assert memory_erp.stock_of("BAG-001", "WH-LON") == bags
    assert exceptions_of(memory_engine, txn.workflow_id)["erp_rejected"][0] == "it"

    await retry_run(client, txn.workflow_id, "credit hold lifted")
    posted = await settled_on_attempt(client, txn.workflow_id, 2)

    assert posted.outcome is Outcome.POSTED, posted
    assert posted.erp is not None and posted.erp.reference == f"{txn.workflow_id}~2"
    assert memory_erp.effects(f"{txn.workflow_id}~2") == BOOKED
    assert memory_erp.standing_postings()[txn.workflow_id] == 1
    after = memory_erp.stock_of("BAG-001", "WH-LON")
    assert (after.on_hand, after.available) == (bags.on_hand - 3, bags.available - 3)
    assert journal_of(memory_engine, txn.workflow_id)["erp_reference"] == f"{txn.workflow_id}~2"
    assert not exceptions_of(memory_engine, txn.workflow_id)


async def test_a_refusal_at_post_keeps_the_reservation_and_retry_posts_once(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100005", "3", "1.20")])
    bags = memory_erp.stock_of("BAG-001", "WH-LON")
    memory_erp.fail(
        "post", ErpRejected("the books are locked for audit"), times=None, reference=txn.workflow_id
    )

    parked = await submit_and_wait(submitter, client, txn)

    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, "erp_rejected"), parked
    assert "locked for audit" in (parked.message or "")
    assert events(memory_erp, txn.workflow_id) == ["reserved"], "the goods left the till"
    held = memory_erp.stock_of("BAG-001", "WH-LON")
    assert (held.on_hand, held.available) == (bags.on_hand, bags.available - 3)
    assert exceptions_of(memory_engine, txn.workflow_id)["erp_rejected"][0] == "it"

    memory_erp.clear_faults()
    await retry_run(client, txn.workflow_id, "audit over")
    posted = await settled_on_attempt(client, txn.workflow_id, 2)

    assert posted.outcome is Outcome.POSTED, posted
    assert memory_erp.effects(txn.workflow_id) == BOOKED, "one order, posted once"
    assert [
        order.reference for order in memory_erp.orders() if order.workflow_id == txn.workflow_id
    ] == [txn.workflow_id]
    after = memory_erp.stock_of("BAG-001", "WH-LON")
    assert (after.on_hand, after.available) == (bags.on_hand - 3, bags.available - 3)
    assert not exceptions_of(memory_engine, txn.workflow_id)
    assert "erp_rejected" in exceptions_of(memory_engine, txn.workflow_id, state="resolved")


async def test_a_refusal_at_commit_parks_and_retry_commits_without_posting_again(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100003", "4", "2.40")])
    memory_erp.fail("commit", ErpRejected("shipment on hold"), reference=txn.workflow_id)

    parked = await submit_and_wait(submitter, client, txn)

    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, "erp_rejected"), parked
    assert events(memory_erp, txn.workflow_id) == ["reserved", "posted", "paid"]

    await retry_run(client, txn.workflow_id, "shipment released")
    posted = await settled_on_attempt(client, txn.workflow_id, 2)

    assert posted.outcome is Outcome.POSTED, posted
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    assert memory_erp.standing_postings()[txn.workflow_id] == 1


async def test_abandoning_parked_books_journals_it_and_issues_the_goods(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100003", "4", "2.40")])
    biscuits = memory_erp.stock_of("BISC-001", "WH-LON")
    memory_erp.fail("post", ErpRejected("no such tax"), times=None, reference=txn.workflow_id)
    parked = await submit_and_wait(submitter, client, txn)
    assert parked.outcome is Outcome.PARKED, parked

    await abandon_run(client, txn.workflow_id, "training till")
    handle = client.get_workflow_handle_for(PosTransactionWorkflow.run, txn.workflow_id)
    final = await handle.result()

    assert (final.stage, final.outcome) == (SyncStage.ABANDONED, Outcome.ABANDONED)
    journal = journal_of(memory_engine, txn.workflow_id)
    assert (journal["outcome"], journal["note"]) == ("abandoned", "training till")
    resolved = exceptions_of(memory_engine, txn.workflow_id, state="resolved")
    assert resolved["erp_rejected"][1] == "abandoned: training till"
    assert events(memory_erp, txn.workflow_id) == ["reserved", "committed"], "nothing posted"
    issued = memory_erp.stock_of("BISC-001", "WH-LON")
    assert (issued.on_hand, issued.available) == (biscuits.on_hand - 4, biscuits.available - 4)


async def test_transient_failures_retry_and_the_sale_posts_once(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")])
    posts_before = memory_erp.calls["post"]
    memory_erp.fail("post", ErpUnavailable("ERP restarting"), times=2, reference=txn.workflow_id)
    for step in ("reserve", "pay", "commit"):
        memory_erp.fail(step, ErpUnavailable("502 Bad Gateway"), reference=txn.workflow_id)

    result = await submit_and_wait(submitter, client, txn)

    assert result.outcome is Outcome.POSTED, result
    # Two failures, then the posting; the books step runs post, pay and commit, so the retries
    # after pay's and commit's failures ask for the (idempotent) posting again.
    assert memory_erp.calls["post"] - posts_before == 5
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    assert memory_erp.pending_faults == []


async def test_a_step_whose_answer_was_lost_after_it_took_effect_is_not_doubled(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100004", "2", "4.50")])
    coffee = memory_erp.stock_of("COF-001", "WH-LON")
    for step in ("reserve", "post", "pay", "commit"):
        memory_erp.fail(
            step, ErpUnavailable("timed out"), reference=txn.workflow_id, after_effect=True
        )

    result = await submit_and_wait(submitter, client, txn)

    assert result.outcome is Outcome.POSTED, result
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    assert memory_erp.pending_faults == [], "every step did time out once"
    after = memory_erp.stock_of("COF-001", "WH-LON")
    assert (after.on_hand, after.available) == (coffee.on_hand - 2, coffee.available - 2)
    assert txn.workflow_id not in memory_erp.posted_twice()


async def test_tickets_whose_ids_used_to_collide_each_post_once(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    """Store S001's terminal X-T1 and store S001-X's terminal T1 both ring the same ticket
    number: once both ``pos-S001-X-T1-<number>``, the second answered "duplicate"."""
    number = new_id()
    with session_scope(memory_engine) as session:
        import_mappings(
            session,
            [MappingRow(kind=MappingKind.LOCATION, store_id="S001-X", erp_code="WH-LON")],
        )
    tickets = [
        make_sale(number, [sale_line(1, "100001", "1", "3.60")], terminal_id="X-T1"),
        make_sale(number, [sale_line(1, "100001", "1", "3.60")], store_id="S001-X"),
    ]

    results = [await submit_and_wait(submitter, client, txn) for txn in tickets]

    assert [result.outcome for result in results] == [Outcome.POSTED, Outcome.POSTED], results
    assert tickets[0].workflow_id != tickets[1].workflow_id
    for txn in tickets:
        assert memory_erp.effects(txn.workflow_id) == BOOKED
