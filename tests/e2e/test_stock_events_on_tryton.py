"""Transfers and purchase receipts end to end: the real Temporal dev server, a worker, the
sandbox Tryton (S001 -> WH-LON, S002 -> WH-LDS), and the store's exceptions and ledger."""

from decimal import Decimal

import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.tryton import TrytonConnector, TrytonRest
from domain.outcomes import Outcome
from domain.settings import Settings
from domain.stock_ledger import MovementCause
from starter.intake.stock_submission import StockSubmitter
from starter.intake.submission import Submitter
from starter.reports.stock_ledger_report import available, render_text, stock_ledger
from tests.e2e.helpers import new_id, stock, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.stock_events.events import dispatch, purchase_receipt, receipt, unique
from tests.stock_events.purchases import confirmed_purchase
from tests.stock_events.reading import exceptions_of
from tests.till_tickets import returned


@pytest.fixture
def stock_submitter(
    client: Client, e2e_settings: Settings, e2e_engine: Engine, running_worker: None
) -> StockSubmitter:
    return StockSubmitter(client, e2e_engine, e2e_settings.task_queue)


async def test_a_transfer_of_10_with_9_received_names_the_missing_unit(
    stock_submitter: StockSubmitter, tryton_connector: TrytonConnector, e2e_engine: Engine
) -> None:
    london, leeds = (
        await stock(tryton_connector, "TEA-001"),
        await stock(tryton_connector, "TEA-001", "WH-LDS"),
    )
    transfer_id = unique("TR")

    [sent, arrived] = await stock_submitter.submit_all(
        [dispatch(transfer_id, {"100001": 10}), receipt(transfer_id, {"100001": 9})], wait=True
    )

    assert (sent.outcome, arrived.outcome) == (Outcome.POSTED, Outcome.POSTED), (sent, arrived)
    assert await stock(tryton_connector, "TEA-001") == london - 10
    assert await stock(tryton_connector, "TEA-001", "WH-LDS") == leeds + 9
    short = exceptions_of(e2e_engine, arrived.workflow_id)["transfer_short"]
    assert (short["owner"], short["state"]) == ("inventory", "open")
    assert short["details"] == {"TEA-001": "dispatched 10, received 9, missing 1"}


async def test_a_purchase_receipt_matches_the_count_and_names_the_short_and_unordered(
    stock_submitter: StockSubmitter,
    tryton_connector: TrytonConnector,
    tryton_rest: TrytonRest,
    e2e_engine: Engine,
) -> None:
    number = await confirmed_purchase(tryton_rest, "WH-LON", {"MUG-001": 6, "BISC-001": 4})
    event = purchase_receipt(number, {"100002": 6, "100003": 3, "5012345000016": 2})

    [booked] = await stock_submitter.submit_all([event], wait=True)

    assert booked.outcome is Outcome.POSTED, booked
    assert booked.erp is not None
    [shipment_id] = booked.erp.shipment_ids
    moves = await tryton_rest.search(
        "stock.move",
        [("shipment", "=", f"stock.shipment.in,{shipment_id}"), ("state", "=", "done")],
        ["product.code", "quantity"],
    )
    assert {move["product"]["code"]: move["quantity"] for move in moves} == {
        "MUG-001": 6,
        "BISC-001": 3,
        "CHOC-001": 2,
    }
    found = exceptions_of(e2e_engine, event.workflow_id)
    assert set(found) == {"receipt_short", "receipt_unordered"}
    assert found["receipt_short"]["details"] == {"BISC-001": "on order 4, counted 3, short 1"}
    assert found["receipt_unordered"]["details"] == {"CHOC-001": "not on the order, counted 2"}


async def test_a_transfer_dispatch_submitted_twice_moves_stock_once(
    stock_submitter: StockSubmitter, tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    before = await stock(tryton_connector, "BAG-001")
    event = dispatch(unique("TR"), {"100005": 5})

    [first] = await stock_submitter.submit_all([event], wait=True)
    [second] = await stock_submitter.submit_all([event], wait=True)

    assert (first.outcome, second.outcome) == (Outcome.POSTED, Outcome.DUPLICATE)
    assert await stock(tryton_connector, "BAG-001") == before - 5
    shipments = await tryton_rest.search(
        "stock.shipment.internal", [("reference", "=", event.transfer_reference)], ["state"]
    )
    assert [shipment["state"] for shipment in shipments] == ["shipped"]


async def test_the_stock_ledger_explains_stock_after_sales_returns_transfers_and_receipts(
    stock_submitter: StockSubmitter,
    submitter: Submitter,
    client: Client,
    tryton_connector: TrytonConnector,
    tryton_rest: TrytonRest,
    e2e_engine: Engine,
) -> None:
    keys = [(wh, code) for wh in ("WH-LON", "WH-LDS") for code in ("TEA-001", "MUG-001")]
    opening = await available(tryton_connector, keys)
    number = await confirmed_purchase(tryton_rest, "WH-LON", {"MUG-001": 4})
    transfer_id = unique("TR")
    sale = make_sale(new_id(), [sale_line(1, "100001", "3", "3.60")])
    refund = make_sale(new_id("RT"), [returned(1, "100001", "-1", "3.60", sale)], kind="return")

    tickets = [await submit_and_wait(submitter, client, txn) for txn in (sale, refund)]
    events = await stock_submitter.submit_all(
        [
            dispatch(transfer_id, {"100001": 4, "100002": 2}),
            receipt(transfer_id, {"100001": 4, "100002": 1}),
            purchase_receipt(number, {"100002": 4}),
        ],
        wait=True,
    )
    ledger = await stock_ledger(
        e2e_engine,
        tryton_connector,
        opening,
        workflow_ids=[result.workflow_id for result in (*tickets, *events)],
    )

    assert [result.outcome for result in (*tickets, *events)] == [Outcome.POSTED] * 5
    assert all(line.explained for line in ledger), render_text(ledger)
    by_key = {(line.warehouse_code, line.product_code): line for line in ledger}
    assert by_key["WH-LON", "TEA-001"].movements == {
        MovementCause.SALE: Decimal(-3),
        MovementCause.RETURN: Decimal(1),
        MovementCause.TRANSFER_OUT: Decimal(-4),
    }
    assert by_key["WH-LON", "MUG-001"].movements == {
        MovementCause.TRANSFER_OUT: Decimal(-2),
        MovementCause.RECEIPT: Decimal(4),
    }
    assert by_key["WH-LDS", "MUG-001"].movements == {MovementCause.TRANSFER_IN: Decimal(1)}
    assert "every line explained" in render_text(ledger)
