"""The stock ledger keeps books abandoned after the goods left the till: they are not booked,
but the ERP issued their stock, so the ledger shows them as ``abandoned`` and still explains
the ERP's stock (the real Temporal dev server, a worker, the memory ERP)."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.errors import ErpRejected
from connectors.erp.memory import MemoryErp
from domain.outcomes import Outcome, SyncStage
from domain.stock_ledger import MovementCause
from starter.control.runs import abandon_run, retry_run
from starter.intake.submission import Submitter
from starter.reports.stock_ledger_report import available, render_text, stock_ledger
from tests.e2e.helpers import new_id, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import journal_of, replays_cleanly, settled_on_attempt
from workflows.pos_transaction import PosTransactionWorkflow


async def test_books_abandoned_after_the_goods_left_are_in_the_ledger_as_abandoned(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100003", "4", "2.40")])
    opening = await available(memory_erp, [("WH-LON", "BISC-001")])
    on_hand = memory_erp.stock_of("BISC-001", "WH-LON").on_hand
    memory_erp.fail("post", ErpRejected("no such tax"), times=None, reference=txn.workflow_id)
    try:
        parked = await submit_and_wait(submitter, client, txn)
        assert parked.outcome is Outcome.PARKED, parked
        await abandon_run(client, txn.workflow_id, "training till")
        handle = client.get_workflow_handle_for(PosTransactionWorkflow.run, txn.workflow_id)
        final = await handle.result()
    finally:
        memory_erp.clear_faults()

    ledger = await stock_ledger(memory_engine, memory_erp, opening, workflow_ids=[txn.workflow_id])

    assert (final.stage, journal_of(memory_engine, txn.workflow_id)["outcome"]) == (
        SyncStage.ABANDONED,
        "abandoned",
    )
    [biscuits] = ledger
    assert biscuits.movements == {MovementCause.ABANDONED: Decimal(-4)}
    assert biscuits.erp_on_hand == on_hand - 4, "the abandonment issued the goods"
    assert biscuits.explained, render_text(ledger)
    await replays_cleanly(client, txn.workflow_id)


async def test_books_posted_after_a_snapshot_count_from_their_reservation_before_it(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    """The stock left (was reserved) before the snapshot was read; the books, parked, were
    posted after it: the snapshot already lacks the goods, so the ledger from it must not
    count them again."""
    txn = make_sale(new_id(), [sale_line(1, "100003", "2", "2.40")])
    key = ("WH-LON", "BISC-001")
    memory_erp.fail("post", ErpRejected("no such tax"), times=None, reference=txn.workflow_id)
    try:
        parked = await submit_and_wait(submitter, client, txn)
        assert parked.outcome is Outcome.PARKED, parked
    finally:
        memory_erp.clear_faults()
    opening = await available(memory_erp, [key])
    opened_at = {key: datetime.now(UTC)}
    await retry_run(client, txn.workflow_id, "tax added")
    posted = await settled_on_attempt(client, txn.workflow_id, 2)

    ledger = await stock_ledger(
        memory_engine, memory_erp, opening, workflow_ids=[txn.workflow_id], opened_at=opened_at
    )

    assert posted.outcome is Outcome.POSTED, posted
    [biscuits] = ledger
    assert biscuits.movements == {}, render_text(ledger)
    assert biscuits.explained, render_text(ledger)
