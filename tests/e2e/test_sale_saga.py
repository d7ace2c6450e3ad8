"""A POS sale through the real Temporal dev server into the real sandbox Tryton ERP."""

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy

from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton_sandbox import TrytonServer
from domain.mapping import MappingKind, MappingRow
from domain.outcomes import Outcome, Submission, SyncStage
from domain.settings import Settings
from starter.control.runs import abandon_run, retry_run
from starter.intake.submission import Submitter, wait_settled
from store.claims import ClaimKey, count_duplicates
from store.db import session_scope
from store.exceptions import list_exceptions
from store.journal import find_entry
from store.mappings import import_mappings
from tests.e2e.gates import ActivityGate
from tests.e2e.helpers import (
    new_id,
    sales_with_reference,
    stock,
    submit_and_wait,
    wait_for_stage,
)
from tests.erp_books import open_fiscal_year
from tests.factories import make_sale, sale_line
from workflows.pos_transaction import PosTransactionWorkflow

pytestmark = [pytest.mark.erp, pytest.mark.temporal]


async def test_sale_posts_prices_taxes_and_issues_stock(
    submitter: Submitter,
    client: Client,
    tryton_connector: TrytonConnector,
    tryton_rest: TrytonRest,
    e2e_engine: Engine,
) -> None:
    txn = make_sale(
        new_id(), [sale_line(1, "100001", "2", "3.60"), sale_line(2, "100002", "1", "9.00")]
    )
    tea, mug = await stock(tryton_connector, "TEA-001"), await stock(tryton_connector, "MUG-001")

    result = await submit_and_wait(submitter, client, txn)

    assert result.outcome is Outcome.POSTED, result
    assert await stock(tryton_connector, "TEA-001") == tea - 2
    assert await stock(tryton_connector, "MUG-001") == mug - 1
    assert result.erp is not None and result.erp.invoice_id is not None
    invoice = await tryton_rest.read(
        "account.invoice",
        result.erp.invoice_id,
        ["state", "untaxed_amount", "tax_amount", "total_amount", "lines.unit_price"],
    )
    assert invoice["state"] == "paid", "posted, and paid by the card tender"
    assert (invoice["untaxed_amount"], invoice["tax_amount"], invoice["total_amount"]) == (
        Decimal("13.50"),
        Decimal("2.70"),
        Decimal("16.20"),
    )
    assert sorted(line["unit_price"] for line in invoice["lines"]) == [
        Decimal("3.0000"),
        Decimal("7.5000"),
    ]
    with session_scope(e2e_engine) as session:
        entry = find_entry(session, txn.workflow_id)
        assert entry is not None
        assert entry.outcome == "posted"
        assert entry.erp_invoice_id == result.erp.invoice_id
        assert entry.erp_invoice_number == result.erp.invoice_number
        assert entry.erp_sale_id == result.erp.sale_id
        assert entry.gross_total == Decimal("16.20")


async def test_stock_is_reserved_before_the_posting(
    submitter: Submitter, client: Client, tryton_connector: TrytonConnector, gate: ActivityGate
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100003", "4", "2.40")])
    before = await tryton_connector.stock_level("BISC-001", "WH-LON")
    gate.close("erp.book")
    try:
        await submitter.submit(txn)
        await asyncio.wait_for(gate.reached["erp.book"].wait(), 60)
        held = await tryton_connector.stock_level("BISC-001", "WH-LON")
        assert held.available == before.available - 4, "the pending-sale window is closed"
        assert held.on_hand == before.on_hand, "nothing has left the shelf yet"
    finally:
        gate.open("erp.book")
    assert (await wait_settled(client, txn.workflow_id)).outcome is Outcome.POSTED
    after = await tryton_connector.stock_level("BISC-001", "WH-LON")
    assert (after.on_hand, after.available) == (before.on_hand - 4, before.available - 4)


async def test_erp_rejection_at_post_parks_the_books_keeps_the_reservation_and_retry_posts_once(
    submitter: Submitter,
    client: Client,
    tryton_connector: TrytonConnector,
    tryton_rest: TrytonRest,
    e2e_engine: Engine,
    e2e_settings: Settings,
) -> None:
    # No fiscal year holds this date: re-dating finds no open period, so the ERP refuses.
    txn = make_sale(new_id(), [sale_line(1, "100005", "3", "1.20")], business_date=date(2031, 3, 2))
    before = await tryton_connector.stock_level("BAG-001", "WH-LON")
    parked = await submit_and_wait(submitter, client, txn)
    assert parked.outcome is Outcome.PARKED
    assert parked.exception_kind == "erp_rejected"
    assert parked.message and "period" in parked.message.lower()
    held = await tryton_connector.stock_level("BAG-001", "WH-LON")
    assert (held.on_hand, held.available) == (before.on_hand, before.available - 3), (
        "the goods left the till: the books' failure keeps the reservation"
    )
    with session_scope(e2e_engine) as session:
        [open_exception] = [e for e in list_exceptions(session) if e.workflow_id == txn.workflow_id]
        assert (open_exception.kind, open_exception.owner) == ("erp_rejected", "it")

    await open_fiscal_year(tryton_rest, e2e_settings.erp_company_id, 2031)
    await retry_run(client, txn.workflow_id, "fiscal year 2031 opened")
    await wait_for_stage(client, txn.workflow_id, {SyncStage.POSTED, SyncStage.PARKED})
    posted = await wait_settled(client, txn.workflow_id)

    assert posted.outcome is Outcome.POSTED, posted
    after = await tryton_connector.stock_level("BAG-001", "WH-LON")
    assert (after.on_hand, after.available) == (before.on_hand - 3, before.available - 3)
    [sale] = await sales_with_reference(tryton_rest, txn.workflow_id)
    assert [invoice["state"] for invoice in sale["invoices"]] == ["paid"], "one sale, posted once"
    assert not await sales_with_reference(tryton_rest, f"{txn.workflow_id}~2")
    with session_scope(e2e_engine) as session:
        assert not [e for e in list_exceptions(session) if e.workflow_id == txn.workflow_id]
        resolved = list_exceptions(session, state="resolved")
        assert any(e.workflow_id == txn.workflow_id for e in resolved)


async def test_unmapped_sku_and_store_park_until_mapped_then_retry_posts(
    submitter: Submitter,
    client: Client,
    tryton_connector: TrytonConnector,
    e2e_engine: Engine,
) -> None:
    new_sku, new_store = new_id("SKU"), new_id("S")
    unknown_sku = make_sale(new_id(), [sale_line(1, new_sku, "1", "1.80")])
    unknown_store = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")], store_id=new_store)

    sku_result = await submit_and_wait(submitter, client, unknown_sku)
    store_result = await submit_and_wait(submitter, client, unknown_store)
    assert (sku_result.outcome, sku_result.exception_kind) == (Outcome.PARKED, "unmapped_sku")
    assert new_sku in (sku_result.message or "")
    assert (store_result.outcome, store_result.exception_kind) == (
        Outcome.PARKED,
        "unmapped_location",
    )

    with session_scope(e2e_engine) as session:
        import_mappings(
            session,
            [
                MappingRow(kind=MappingKind.SKU, pos_code=new_sku, erp_code="CHOC-001"),
                MappingRow(kind=MappingKind.LOCATION, store_id=new_store, erp_code="WH-LDS"),
            ],
        )
    chocolate = await stock(tryton_connector, "CHOC-001")
    leeds_tea = await stock(tryton_connector, "TEA-001", "WH-LDS")
    for txn in (unknown_sku, unknown_store):
        await retry_run(client, txn.workflow_id)
        await wait_for_stage(client, txn.workflow_id, {SyncStage.POSTED})
    assert await stock(tryton_connector, "CHOC-001") == chocolate - 1
    assert await stock(tryton_connector, "TEA-001", "WH-LDS") == leeds_tea - 1


@pytest.mark.parametrize("status", ["pending", "suspended", "voided"])
async def test_incomplete_tickets_are_ignored_and_commit_no_stock(
    status: str,
    submitter: Submitter,
    client: Client,
    tryton_connector: TrytonConnector,
    tryton_rest: TrytonRest,
    e2e_engine: Engine,
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100002", "2", "9.00")], status=status)
    before = await tryton_connector.stock_level("MUG-001", "WH-LON")

    result = await submit_and_wait(submitter, client, txn)

    assert result.outcome is Outcome.IGNORED
    assert await tryton_connector.stock_level("MUG-001", "WH-LON") == before
    assert await sales_with_reference(tryton_rest, txn.workflow_id) == []
    with session_scope(e2e_engine) as session:
        entry = find_entry(session, txn.workflow_id)
        assert entry is not None and (entry.outcome, entry.status) == ("ignored", status)


async def test_same_transaction_twice_posts_once_and_counts_a_duplicate(
    submitter: Submitter,
    client: Client,
    tryton_rest: TrytonRest,
    e2e_engine: Engine,
    e2e_settings: object,
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")])
    first, second = await submitter.submit_all([txn, txn], wait=True)
    assert {first.outcome, second.outcome} == {Outcome.POSTED, Outcome.DUPLICATE}
    assert first.workflow_id == second.workflow_id == txn.workflow_id
    again, started = await submitter.submit(txn)
    assert (again.outcome, started) == (Outcome.DUPLICATE, False)

    # Temporal forgets workflow ids after retention: a new run of the same id must still
    # find the store's claim and post nothing.
    handle = await client.start_workflow(
        PosTransactionWorkflow.run,
        Submission(transaction=txn, submission_id="after-retention", submitted_at=txn.occurred_at),
        id=f"{txn.workflow_id}-forgotten",
        task_queue="tillsync-e2e",
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )
    assert (await handle.result()).outcome is Outcome.DUPLICATE

    assert len(await sales_with_reference(tryton_rest, txn.workflow_id)) == 1
    with session_scope(e2e_engine) as session:
        key = ClaimKey(txn.store_id, txn.terminal_id, txn.transaction_id)
        assert count_duplicates(session, key) == 3


async def test_erp_down_for_a_while_runs_wait_then_complete(
    submitter: Submitter,
    client: Client,
    tryton_server: TrytonServer,
    tryton_connector: TrytonConnector,
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100003", "2", "2.40")])
    before = await stock(tryton_connector, "BISC-001")
    await asyncio.to_thread(tryton_server.stop)
    try:
        await submitter.submit(txn)
        waiting = await wait_for_stage(client, txn.workflow_id, {SyncStage.RESERVING})
        await asyncio.sleep(4)
        still = await client.get_workflow_handle(txn.workflow_id).query(
            PosTransactionWorkflow.status
        )
        assert still.stage is SyncStage.RESERVING and still.outcome is None, still
        assert waiting.failure is None
    finally:
        await asyncio.to_thread(tryton_server.start)
    result = await wait_settled(client, txn.workflow_id)
    assert result.outcome is Outcome.POSTED
    assert await stock(tryton_connector, "BISC-001") == before - 2


async def test_abandon_journals_and_resolves(
    submitter: Submitter, client: Client, e2e_engine: Engine
) -> None:
    txn = make_sale(new_id(), [sale_line(1, new_id("SKU"), "1", "1.00")])
    assert (await submit_and_wait(submitter, client, txn)).outcome is Outcome.PARKED
    await abandon_run(client, txn.workflow_id, "test ticket rung by mistake")
    handle = client.get_workflow_handle_for(PosTransactionWorkflow.run, txn.workflow_id)
    assert (await handle.result()).outcome is Outcome.ABANDONED
    with session_scope(e2e_engine) as session:
        entry = find_entry(session, txn.workflow_id)
        assert entry is not None and entry.note == "test ticket rung by mistake"
        [resolved] = [
            e
            for e in list_exceptions(session, state="resolved")
            if e.workflow_id == txn.workflow_id
        ]
        assert resolved.resolution == "abandoned: test ticket rung by mistake"
