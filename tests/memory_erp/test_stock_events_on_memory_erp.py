"""Transfers and purchase receipts as sagas on the memory ERP and the real Temporal dev server:
stock moves once, differences open exceptions owned by inventory, failures compensate and
park."""

import asyncio
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.errors import ErpRejected
from connectors.erp.memory import MemoryErp
from connectors.erp.memory.stock_moves import TRANSIT
from domain.operator import RetryRequest
from domain.outcomes import Outcome
from domain.settings import Settings
from domain.stock_ledger import LedgerMovement, MovementCause
from starter.control.runs import list_runs
from starter.intake.stock_event_files import submit_stock_events
from starter.intake.stock_submission import StockSubmitter, wait_event_settled
from starter.intake.submission import SubmitResult
from tests.memory_erp.saga_helpers import settled_on_attempt
from tests.stock_events.events import dispatch, purchase_receipt, receipt, unique
from tests.stock_events.reading import changes_caused_by, exceptions_of, journaled, movements_of
from workflows.stock_event_run import StockEventRun

TEA, MUG, BISC = "TEA-001", "MUG-001", "BISC-001"


@pytest.fixture
def stock_submitter(
    client: Client, memory_settings: Settings, memory_engine: Engine, memory_worker: None
) -> StockSubmitter:
    return StockSubmitter(client, memory_engine, memory_settings.task_queue)


def on_hand(erp: MemoryErp, product: str, warehouse: str) -> Decimal:
    return erp.stock_of(product, warehouse).on_hand


async def test_a_transfer_of_10_with_9_received_leaves_the_missing_unit_named(
    stock_submitter: StockSubmitter, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    before = {wh: on_hand(memory_erp, TEA, wh) for wh in ("WH-LON", "WH-LDS", TRANSIT)}
    transfer_id = unique("TR")

    [sent] = await stock_submitter.submit_all([dispatch(transfer_id, {"100001": 10})], wait=True)
    [arrived] = await stock_submitter.submit_all([receipt(transfer_id, {"100001": 9})], wait=True)

    assert (sent.outcome, arrived.outcome) == (Outcome.POSTED, Outcome.POSTED)
    assert on_hand(memory_erp, TEA, "WH-LON") == before["WH-LON"] - 10
    assert on_hand(memory_erp, TEA, "WH-LDS") == before["WH-LDS"] + 9
    assert on_hand(memory_erp, TEA, TRANSIT) == before[TRANSIT] + 1
    short = exceptions_of(memory_engine, arrived.workflow_id)["transfer_short"]
    assert short["owner"] == "inventory"
    assert short["details"] == {TEA: "dispatched 10, received 9, missing 1"}
    assert "1 x TEA-001 missing" in short["message"]
    assert changes_caused_by(memory_engine, "S001", sent.workflow_id) == [[TEA]]
    assert changes_caused_by(memory_engine, "S002", arrived.workflow_id) == [[TEA]]
    assert journaled(memory_engine, arrived.workflow_id)["outcome"] == "posted"
    assert movements_of(memory_engine, arrived.workflow_id) == [
        LedgerMovement(
            warehouse_code="WH-LDS",
            product_code=TEA,
            cause=MovementCause.TRANSFER_IN,
            quantity=Decimal(9),
        )
    ]


async def test_a_transfer_dispatch_submitted_twice_moves_stock_once(
    stock_submitter: StockSubmitter, memory_erp: MemoryErp
) -> None:
    before = on_hand(memory_erp, MUG, "WH-LON")
    transfer_id = unique("TR")
    event = dispatch(transfer_id, {"100002": 4})

    [first] = await stock_submitter.submit_all([event], wait=True)
    [again] = await stock_submitter.submit_all([event], wait=True)
    [other_id] = await stock_submitter.submit_all(
        [dispatch(transfer_id, {"100002": 4}, event_id=unique("D"))], wait=True
    )

    assert first.outcome is Outcome.POSTED
    assert again.outcome is Outcome.DUPLICATE
    assert other_id.outcome is Outcome.DUPLICATE
    assert on_hand(memory_erp, MUG, "WH-LON") == before - 4
    assert memory_erp.movements.transfers[event.transfer_reference].effects["dispatched"] == 1


async def test_a_receipt_sent_before_its_dispatch_waits_for_it(
    stock_submitter: StockSubmitter, client: Client, memory_erp: MemoryErp
) -> None:
    transfer_id = unique("TR")
    early = receipt(transfer_id, {"100003": 2})
    await stock_submitter.submit(early)
    await stock_submitter.submit_all([dispatch(transfer_id, {"100003": 2})], wait=True)

    settled = await wait_event_settled(client, early.workflow_id)

    assert settled.outcome is Outcome.POSTED
    assert memory_erp.movements.transfers[early.transfer_reference].state == "done"


async def test_a_failed_dispatch_is_undone_and_parks_until_retried(
    stock_submitter: StockSubmitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    before = on_hand(memory_erp, BISC, "WH-LON")
    event = dispatch(unique("TR"), {"100003": 3})
    memory_erp.fail(
        "dispatch_transfer",
        ErpRejected("transit closed"),
        reference=event.transfer_reference,
        after_effect=True,
    )

    [parked] = await stock_submitter.submit_all([event], wait=True)

    assert parked.outcome is Outcome.PARKED
    assert parked.exception_kind == "erp_rejected"
    assert on_hand(memory_erp, BISC, "WH-LON") == before, "the compensation brought it back"
    handle = client.get_workflow_handle(event.workflow_id)
    await handle.execute_update(StockEventRun.retry_parked, RetryRequest(note="reopened"))
    posted = await settled_on_attempt(client, event.workflow_id, 2)
    assert posted.outcome is Outcome.POSTED
    assert on_hand(memory_erp, BISC, "WH-LON") == before - 3
    assert exceptions_of(memory_engine, event.workflow_id)["erp_rejected"]["state"] == "resolved"


async def test_a_purchase_receipt_books_what_was_counted_and_names_the_differences(
    stock_submitter: StockSubmitter, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    number = unique("PO")
    memory_erp.movements.add_purchase_order(
        number, "WH-LON", [(TEA, Decimal(10)), (MUG, Decimal(5))]
    )
    before = {code: on_hand(memory_erp, code, "WH-LON") for code in (TEA, MUG, BISC)}
    event = purchase_receipt(number, {"100001": 8, "100002": 5, "100003": 3})

    [booked] = await stock_submitter.submit_all([event], wait=True)

    assert booked.outcome is Outcome.POSTED
    assert {code: on_hand(memory_erp, code, "WH-LON") - before[code] for code in before} == {
        TEA: 8,
        MUG: 5,
        BISC: 3,
    }
    found = exceptions_of(memory_engine, event.workflow_id)
    assert set(found) == {"receipt_short", "receipt_unordered"}
    assert found["receipt_short"]["details"] == {TEA: "on order 10, counted 8, short 2"}
    assert found["receipt_unordered"]["details"] == {BISC: "not on the order, counted 3"}
    assert {record["owner"] for record in found.values()} == {"inventory"}
    outstanding = {
        line.product_code: line.outstanding for line in memory_erp.movements.purchases[number].lines
    }
    assert outstanding == {TEA: 2, MUG: 0}


async def test_an_unknown_purchase_order_parks_until_it_exists(
    stock_submitter: StockSubmitter, client: Client, memory_erp: MemoryErp
) -> None:
    number = unique("PO")
    event = purchase_receipt(number, {"100002": 1})

    [parked] = await stock_submitter.submit_all([event], wait=True)

    assert parked.outcome is Outcome.PARKED
    assert parked.exception_kind == "purchase_order_unknown"
    memory_erp.movements.add_purchase_order(number, "WH-LON", [(MUG, Decimal(1))])
    handle = client.get_workflow_handle(event.workflow_id)
    await handle.execute_update(StockEventRun.retry_parked, RetryRequest())
    assert (await settled_on_attempt(client, event.workflow_id, 2)).outcome is Outcome.POSTED


async def test_an_unmapped_sku_parks_a_dispatch_and_abandoning_it_moves_nothing(
    stock_submitter: StockSubmitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    event = dispatch(unique("TR"), {"100001": 1, "999999": 2})

    [parked] = await stock_submitter.submit_all([event], wait=True)
    handle = client.get_workflow_handle(event.workflow_id)
    reply = await handle.execute_update(StockEventRun.abandon_parked, "wrong SKU on the note")
    ended = await wait_event_settled(client, event.workflow_id)

    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, "unmapped_sku")
    assert "line 2 (999999)" in (parked.message or "")
    assert reply.accepted
    assert ended.outcome is Outcome.ABANDONED
    assert event.transfer_reference not in memory_erp.movements.transfers
    assert journaled(memory_engine, event.workflow_id)["outcome"] == "abandoned"
    assert exceptions_of(memory_engine, event.workflow_id)["unmapped_sku"]["state"] == "resolved"
    assert movements_of(memory_engine, event.workflow_id) == []


async def test_the_cli_submits_stock_events_from_a_file_and_reports_rejects(
    client: Client, memory_settings: Settings, memory_worker: None, tmp_path: Path
) -> None:
    transfer_id = unique("TR")
    bad = json.loads(dispatch(unique("TR"), {"100001": 1}).model_dump_json())
    bad["to_store_id"] = bad["store_id"]
    source = tmp_path / "events.jsonl"
    source.write_text(
        "\n".join(
            [
                dispatch(transfer_id, {"100005": 2}).model_dump_json(),
                receipt(transfer_id, {"100005": 2}).model_dump_json(),
                json.dumps(bad),
            ]
        )
        + "\n"
    )
    settings = memory_settings.model_copy(
        update={
            "temporal_address": client.service_client.config.target_host,
            "data_dir": tmp_path,
        }
    )
    results: list[SubmitResult] = []

    code = await submit_stock_events([source], settings, wait=True, report=results.append)

    assert code == 1
    assert [result.outcome for result in results] == [
        Outcome.REJECTED,
        Outcome.POSTED,
        Outcome.POSTED,
    ]
    assert results[0].errors == ["transfer_dispatch: a transfer goes to another store"]
    assert settings.rejects_file.exists()


async def test_a_receipt_retried_after_its_booking_took_effect_books_and_names_it_once(
    stock_submitter: StockSubmitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    number = unique("PO")
    memory_erp.movements.add_purchase_order(number, "WH-LDS", [(TEA, Decimal(5))])
    before = on_hand(memory_erp, TEA, "WH-LDS")
    event = purchase_receipt(number, {"100001": 4}, store_id="S002")
    memory_erp.fail("receive_purchase", ErpRejected("timed out"), after_effect=True)

    [parked] = await stock_submitter.submit_all([event], wait=True)
    handle = client.get_workflow_handle(event.workflow_id)
    await handle.execute_update(StockEventRun.retry_parked, RetryRequest())
    posted = await settled_on_attempt(client, event.workflow_id, 2)

    assert (parked.outcome, posted.outcome) == (Outcome.PARKED, Outcome.POSTED)
    assert on_hand(memory_erp, TEA, "WH-LDS") == before + 4
    found = exceptions_of(memory_engine, event.workflow_id)
    assert found["receipt_short"]["details"] == {TEA: "on order 5, counted 4, short 1"}
    assert "receipt_over" not in found


async def test_operators_find_a_parked_stock_event_among_the_parked_runs(
    stock_submitter: StockSubmitter, client: Client
) -> None:
    event = purchase_receipt(unique("PO"), {"100002": 1}, store_id="S002")
    [parked] = await stock_submitter.submit_all([event], wait=True)
    assert parked.outcome is Outcome.PARKED

    async with asyncio.timeout(20):
        while True:
            found = [run async for run in list_runs(client, stage="parked", store_id="S002")]
            mine = [run for run in found if run.workflow_id == event.workflow_id]
            if mine:
                break
            await asyncio.sleep(0.2)
    assert (mine[0].kind, mine[0].exception_kind) == ("purchase_receipt", "purchase_order_unknown")
