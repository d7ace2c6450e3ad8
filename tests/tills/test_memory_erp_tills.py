"""Master data and available-to-sell on the real Temporal dev server with the memory ERP: new
items, price changes and promotions reach store S001's webhook and feeds in both formats, a
ticket of a new item posts without a hand-made mapping, and a burst of sales sends a handful
of available-to-sell pushes, the last one the ERP's figure."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from activities.available import ats_workflow_id
from connectors.erp.errors import ErpRejected
from connectors.erp.memory import MemoryErp
from domain.master_data import ErpItem, ErpPromotion
from domain.outcomes import Outcome
from domain.periods import PostingMode
from domain.settings import Settings
from starter.control.master_data_sync import sync_now
from starter.intake.stock_submission import StockSubmitter
from starter.intake.submission import Submitter
from tests.e2e.helpers import new_id, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import replays_cleanly
from tests.stock_events.events import dispatch, unique
from tests.till_receiver import TillReceiver
from tests.tills.stack import STORE, pull, till_http, tills_settings, tills_worker
from workflows import patches
from workflows.ats_publisher import AtsPublisherWorkflow

WAREHOUSE = "WH-LON"
DEBOUNCE_MS = 2000
NEW = ErpItem(
    code="NEW-001",
    description="Rooibos tea",
    unit="Unit",
    barcodes=("5012345678900",),
    tax_codes=("VAT20",),
    list_price=Decimal("2.50"),
    price_formulas={"London": "unit_price * 0.8"},
    written_at=datetime(2026, 1, 1, tzinfo=UTC),
)


@pytest.fixture(scope="module")
def erp() -> MemoryErp:
    erp = MemoryErp(
        warehouses={"WH-LON", "WH-LDS", "WH-NYC"},
        products={"TEA-001", "MUG-001", "BISC-001", "COF-001", "BAG-001", "CHOC-001"},
        default_stock=Decimal(1000),
    )
    erp.master.set_tax_rate("VAT20", Decimal("0.20"))
    return erp


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, receiver: TillReceiver) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("tills-memory")
    return tills_settings(
        data_dir,
        "tillsync-tills-memory",
        receiver.url,
        erp_kind="memory",
        erp_posting_mode=PostingMode.PER_TRANSACTION,
        erp_batch_window_ms=5,
        ats_debounce_ms=DEBOUNCE_MS,
    )


@pytest.fixture(scope="module")
async def worker(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine, erp: MemoryErp
) -> AsyncIterator[None]:
    async with tills_worker(temporal_env.client, settings, erp, erp):
        yield


@pytest.fixture
async def http(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[httpx.AsyncClient]:
    async with till_http(temporal_env.client, settings, engine) as client:
        yield client


async def _told(
    receiver: TillReceiver,
    before: int,
    item_code: str,
    within: float,
    enough: Callable[[list[Decimal]], bool],
) -> list[Decimal]:
    """The item's available-to-sell figures pushed since push ``before``, once ``enough``."""
    async with asyncio.timeout(within):
        while True:
            told = [
                Decimal(quantity["available"])
                for push in receiver.of("available", STORE)[before:]
                for quantity in push["quantities"]
                if quantity["item_code"] == item_code
            ]
            if told and enough(told):
                return told
            await asyncio.sleep(0.2)


def _codes(document: dict[str, Any], key: str = "articles", field: str = "code") -> list[str]:
    return sorted(record[field] for record in document[key])


async def test_new_item_and_price_change_reach_snapshot_delta_and_a_ticket(
    temporal_env: WorkflowEnvironment,
    worker: None,
    erp: MemoryErp,
    settings: Settings,
    engine: Engine,
    receiver: TillReceiver,
    http: httpx.AsyncClient,
) -> None:
    client = temporal_env.client
    erp.master.put_item(NEW.model_copy(update={"code": "TEA-001", "price_formulas": {}}))
    erp.master.put_item(NEW)

    first = await sync_now(client, settings, STORE)

    assert first.pushed is not None and first.pushed.pushed, first
    (pushed,) = receiver.of("masterdata", STORE)
    assert _codes(pushed) == ["NEW-001", "TEA-001"]
    new = next(a for a in pushed["articles"] if a["code"] == "NEW-001")
    assert Decimal(new["unit_price"]) == Decimal("2.40"), "2.50 x 0.8 on London's list, VAT in"
    snapshot = await pull(http, f"/v1/stores/{STORE}/masterdata")
    assert _codes(snapshot) == ["NEW-001", "TEA-001"]
    sitoo = await pull(http, f"/v1/stores/{STORE}/masterdata?format=sitoo")
    assert {p["sku"]: p["moneyprice"] for p in sitoo["products"]}["NEW-001"] == "2.40"
    watermark = snapshot["watermark"]

    erp.master.put_item(NEW.model_copy(update={"list_price": Decimal("3.00")}))
    second = await sync_now(client, settings, STORE)

    assert second.read.records_changed == 1
    delta_pushed = receiver.of("masterdata", STORE)[-1]
    assert _codes(delta_pushed) == ["NEW-001"]
    assert Decimal(delta_pushed["articles"][0]["unit_price"]) == Decimal("2.88")
    since = quote(watermark)
    delta = await pull(http, f"/v1/stores/{STORE}/masterdata?since={since}")
    assert _codes(delta) == ["NEW-001"] and delta["promotions"] == []
    delta_sitoo = await pull(http, f"/v1/stores/{STORE}/masterdata?since={since}&format=sitoo")
    assert [(p["sku"], p["moneyprice"]) for p in delta_sitoo["products"]] == [("NEW-001", "2.88")]
    assert (await pull(http, f"/v1/stores/{STORE}/masterdata?since={quote(delta['watermark'])}"))[
        "articles"
    ] == []

    ticket = make_sale(new_id(), [sale_line(1, "NEW-001", "1", "2.88")])
    scanned = sale_line(1, "x", "1", "2.88", barcode="5012345678900")
    del scanned["sku"]
    by_barcode = make_sale(new_id(), [scanned])
    submitter = Submitter(client, engine, settings.task_queue)
    for txn in (ticket, by_barcode):
        result = await submit_and_wait(submitter, client, txn)
        assert result.outcome is Outcome.POSTED, result
        order = erp.order(txn.workflow_id).order
        assert [line.product_code for line in order.product_lines] == ["NEW-001"]


async def test_a_promotion_is_published_with_its_validity_and_a_ticket_books_its_line(
    temporal_env: WorkflowEnvironment,
    worker: None,
    erp: MemoryErp,
    settings: Settings,
    engine: Engine,
    receiver: TillReceiver,
    http: httpx.AsyncClient,
) -> None:
    client = temporal_env.client
    erp.master.put_item(NEW)
    erp.master.put_promotion(
        ErpPromotion(
            code="ROOIBOS10",
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 11, 30),
            item_codes=("NEW-001",),
            formula="unit_price * 0.9",
            written_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )

    result = await sync_now(client, settings, STORE)

    assert result.pushed is not None and result.pushed.promotions == 1
    (promotion,) = receiver.of("masterdata", STORE)[-1]["promotions"]
    assert (promotion["code"], promotion["kind"], promotion["value"]) == (
        "ROOIBOS10",
        "percent_off",
        "10",
    )
    assert (promotion["starts_on"], promotion["ends_on"]) == ("2026-11-01", "2026-11-30")
    (campaign,) = (await pull(http, f"/v1/stores/{STORE}/masterdata?format=sitoo"))["campaigns"]
    assert (campaign["vouchercode"], campaign["percentoff"]) == ("ROOIBOS10", "10")

    discount = {"kind": "promotion", "amount": "0.48", "code": "ROOIBOS10"}  # 10% of 2 x 2.40
    ticket = make_sale(new_id(), [sale_line(1, "NEW-001", "2", "2.40", discounts=[discount])])
    posted = await submit_and_wait(Submitter(client, engine, settings.task_queue), client, ticket)

    assert posted.outcome is Outcome.POSTED, posted
    (line,) = erp.order(ticket.workflow_id).order.discount_lines
    assert "ROOIBOS10" in line.description and line.net_amount == Decimal("-0.40")


async def test_a_burst_of_sales_sends_a_handful_of_pushes_the_last_the_erps_figure(
    temporal_env: WorkflowEnvironment,
    worker: None,
    erp: MemoryErp,
    settings: Settings,
    engine: Engine,
    receiver: TillReceiver,
    http: httpx.AsyncClient,
) -> None:
    client = temporal_env.client
    submitter = Submitter(client, engine, settings.task_queue)
    before = len(receiver.of("available", STORE))
    tickets = [make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")]) for _ in range(100)]

    results = await asyncio.gather(*(submit_and_wait(submitter, client, t) for t in tickets))

    assert all(result.outcome is Outcome.POSTED for result in results)
    expected = erp.stock_of("MUG-001", WAREHOUSE).available
    assert expected == Decimal(900)
    publisher = client.get_workflow_handle(ats_workflow_id(settings.task_queue, STORE))
    await _told(receiver, before, "MUG-001", 60, lambda told: told[-1] == expected)
    await asyncio.sleep(DEBOUNCE_MS / 1000 * 2)  # a push still to come would land by now
    pushes = receiver.of("available", STORE)[before:]
    assert 1 <= len(pushes) <= 10, f"{len(pushes)} pushes for 200 stock changes"
    last = [q for push in pushes for q in push["quantities"] if q["item_code"] == "MUG-001"][-1]
    assert Decimal(last["available"]) == expected
    assert await publisher.query(AtsPublisherWorkflow.pushes) >= 1
    feed = await pull(http, f"/v1/stores/{STORE}/available?item=MUG-001")
    assert [(q["item_code"], Decimal(q["available"])) for q in feed["quantities"]] == [
        ("MUG-001", expected)
    ]


async def test_a_released_reservation_tells_the_tills_what_they_can_sell_again(
    temporal_env: WorkflowEnvironment,
    worker: None,
    erp: MemoryErp,
    settings: Settings,
    engine: Engine,
    receiver: TillReceiver,
) -> None:
    client = temporal_env.client
    txn = make_sale(new_id(), [sale_line(1, "100005", "3", "5.00")])
    bags = erp.stock_of("BAG-001", WAREHOUSE).available
    before = len(receiver.of("available", STORE))
    refusal = ErpRejected("refused after the stock was reserved")
    erp.fail("reserve", refusal, reference=txn.workflow_id, after_effect=True)

    parked = await submit_and_wait(Submitter(client, engine, settings.task_queue), client, txn)

    assert parked.outcome is Outcome.PARKED, parked
    assert erp.stock_of("BAG-001", WAREHOUSE).available == bags, "released"
    told = await _told(receiver, before, "BAG-001", 30, lambda told: bool(told))
    assert told[-1] == bags


async def test_a_dispatch_undone_by_its_compensation_tells_the_tills_what_came_back(
    temporal_env: WorkflowEnvironment,
    worker: None,
    erp: MemoryErp,
    settings: Settings,
    engine: Engine,
    receiver: TillReceiver,
) -> None:
    client = temporal_env.client
    event = dispatch(unique("TR"), {"100004": 4})  # COF-001 leaves store S001
    coffee = erp.stock_of("COF-001", WAREHOUSE).available
    before = len(receiver.of("available", STORE))
    refusal = ErpRejected("transit closed after the goods were booked out")
    erp.fail("dispatch_transfer", refusal, reference=event.transfer_reference, after_effect=True)

    submitter = StockSubmitter(client, engine, settings.task_queue)
    [parked] = await submitter.submit_all([event], wait=True)

    assert parked.outcome is Outcome.PARKED, parked
    assert erp.movements.transfers[event.transfer_reference].effects["dispatched"] == 1
    assert erp.stock_of("COF-001", WAREHOUSE).available == coffee, "brought back"
    told = await _told(receiver, before, "COF-001", 30, lambda told: bool(told))
    assert told[-1] == coffee
    history = await client.get_workflow_handle(event.workflow_id).fetch_history()
    newest_bundle, _ = patches.BUNDLES[-1]
    assert patch_markers(history) == [newest_bundle], "one marker for every patch"
    await replays_cleanly(client, event.workflow_id)


def patch_markers(history: WorkflowHistory) -> list[str]:
    """The ids of the ``workflow.patched`` markers the run recorded, in order."""
    markers = [
        event.marker_recorded_event_attributes
        for event in history.events
        if event.HasField("marker_recorded_event_attributes")
    ]
    return [
        json.loads(marker.details["patch-data"].payloads[0].data)["id"]
        for marker in markers
        if marker.marker_name == "core_patch"
    ]
