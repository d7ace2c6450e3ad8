"""Master data from the sandbox Tryton to store S001, on the real Temporal dev server: a new
product with its barcode on the store's price list, a price change, and a promotion made in
Tryton reach the store's webhook and feeds in both formats; a ticket of the new item, with
the promotion's code, posts without any hand-made mapping and books the discount line; an item
deactivated in Tryton is published as removed; the store's Temporal Schedule publishes what
Tryton wrote."""

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine
from temporalio.client import ScheduleActionExecutionStartWorkflow
from temporalio.testing import WorkflowEnvironment

from connectors.erp.tryton import TrytonRest
from connectors.erp.tryton.catalog import TrytonCatalog
from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from domain.catalog import CatalogItem
from domain.outcomes import Outcome
from domain.settings import Settings
from starter.control.master_data_sync import ensure_master_data_schedules, sync_now
from starter.intake.submission import Submitter
from tests.e2e.helpers import new_id, submit_and_wait
from tests.e2e.test_returns_discounts_tax import invoice_lines
from tests.factories import make_sale, sale_line
from tests.till_receiver import TillReceiver
from tests.tills.stack import (
    PRICE_LIST,
    STORE,
    pull,
    till_http,
    tryton_tills_settings,
    tryton_tills_worker,
)

CODE = "OOLONG-001"
BARCODE = "5012345678900"
PROMOTION = "OOLONG10"


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, erp_sandbox: TrytonSandboxInfo, receiver: TillReceiver
) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("tills-tryton")
    return tryton_tills_settings(data_dir, erp_sandbox, "tillsync-tills-tryton", receiver.url)


@pytest.fixture(scope="module")
async def worker(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[None]:
    async with tryton_tills_worker(temporal_env.client, settings):
        yield


async def _new_product_on_the_london_list(rest: TrytonRest) -> tuple[int, int, int]:
    """The product, its template, and the London price list (10% off the list price)."""
    catalog = TrytonCatalog(rest)
    item = CatalogItem(
        code=CODE, name="Oolong tea", list_price=Decimal("4.00"), cost_price=Decimal("1.50")
    )
    await catalog.add_products([item])
    (product,) = await rest.search("product.product", [("code", "=", CODE)], ["template"])
    await rest.create(
        "product.identifier", {"product": product["id"], "type": "ean", "code": BARCODE}
    )
    await catalog.count_stock("WH-LON", {CODE: Decimal(50)}, date.today())
    price_list = await rest.create(
        "product.price_list",
        {
            "name": PRICE_LIST,
            "lines": [["create", [{"product": product["id"], "formula": "unit_price * 0.9"}]]],
        },
    )
    return product["id"], product["template"], price_list


def _articles(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {article["code"]: article for article in document["articles"]}


async def test_tryton_items_prices_and_promotions_reach_the_store_and_a_ticket_posts(
    temporal_env: WorkflowEnvironment,
    worker: None,
    settings: Settings,
    engine: Engine,
    receiver: TillReceiver,
    tryton_rest: TrytonRest,
) -> None:
    client = temporal_env.client
    product_id, template_id, price_list = await _new_product_on_the_london_list(tryton_rest)
    await tryton_rest.create(
        "sale.promotion",
        {
            "name": PROMOTION,
            "start_date": date(2026, 11, 1),
            "end_date": date(2026, 12, 31),
            "price_list": price_list,
            "products": [["add", [product_id]]],
            "formula": "unit_price * 0.9",
        },
    )

    first = await sync_now(client, settings, STORE)

    assert first.failure is None and first.pushed and first.pushed.pushed, first
    (snapshot,) = receiver.of("masterdata", STORE)
    new = _articles(snapshot)[CODE]
    assert (new["barcodes"], new["tax_code"], new["unit"]) == ([BARCODE], "VAT20", "Unit")
    assert Decimal(new["unit_price"]) == Decimal("4.32"), "4.00 x 0.9 on London's list, VAT in"
    assert "TEA-001" in _articles(snapshot) and "DISC-PROMOTION" not in _articles(snapshot)
    (promotion,) = [p for p in snapshot["promotions"] if p["code"] == PROMOTION]
    assert (promotion["starts_on"], promotion["ends_on"]) == ("2026-11-01", "2026-12-31")
    assert (promotion["kind"], promotion["value"], promotion["item_codes"]) == (
        "percent_off",
        "10",
        [CODE],
    )

    await tryton_rest.write("product.template", template_id, {"list_price": Decimal("5.00")})
    second = await sync_now(client, settings, STORE)

    assert second.pushed and second.pushed.pushed, second
    delta = receiver.of("masterdata", STORE)[-1]
    assert list(_articles(delta)) == [CODE] and delta["promotions"] == []
    assert Decimal(_articles(delta)[CODE]["unit_price"]) == Decimal("5.40")
    async with till_http(client, settings, engine) as http:
        since = quote(snapshot["watermark"])
        pulled = await pull(http, f"/v1/stores/{STORE}/masterdata?since={since}")
        sitoo = await pull(http, f"/v1/stores/{STORE}/masterdata?since={since}&format=sitoo")
        full_sitoo = await pull(http, f"/v1/stores/{STORE}/masterdata?format=sitoo")
    assert list(_articles(pulled)) == [CODE]
    assert [(p["sku"], p["moneyprice"], p["barcode"]) for p in sitoo["products"]] == [
        (CODE, "5.40", BARCODE)
    ]
    campaign = next(c for c in full_sitoo["campaigns"] if c["vouchercode"] == PROMOTION)
    assert (campaign["percentoff"], campaign["products"]) == ("10", [CODE])

    discount = {"kind": "promotion", "amount": "1.08", "code": PROMOTION}  # 10% of 2 x 5.40
    ticket = make_sale(new_id(), [sale_line(1, CODE, "2", "5.40", discounts=[discount])])
    result = await submit_and_wait(Submitter(client, engine, settings.task_queue), client, ticket)

    assert result.outcome is Outcome.POSTED, result
    assert result.erp is not None and result.erp.invoice_id is not None
    lines = await invoice_lines(tryton_rest, result.erp.invoice_id)
    by_product = {line["product"]["code"]: line for line in lines if line.get("product")}
    assert by_product[CODE]["amount"] == Decimal("9.00"), "2 x 4.50 net: the till's price"
    assert PROMOTION in by_product["DISC-PROMOTION"]["description"]
    assert by_product["DISC-PROMOTION"]["amount"] == Decimal("-0.90")


async def test_an_item_deactivated_in_tryton_is_published_to_the_tills_as_removed(
    temporal_env: WorkflowEnvironment,
    worker: None,
    settings: Settings,
    engine: Engine,
    receiver: TillReceiver,
    tryton_rest: TrytonRest,
) -> None:
    client = temporal_env.client
    retired = "RETIRED-001"
    item = CatalogItem(
        code=retired, name="Retired blend", list_price=Decimal("3.00"), cost_price=Decimal("1")
    )
    await TrytonCatalog(tryton_rest).add_products([item])
    (product,) = await tryton_rest.search("product.product", [("code", "=", retired)], ["id"])
    listed = await sync_now(client, settings, STORE)
    assert listed.pushed and listed.pushed.pushed, listed
    assert retired in _articles(receiver.of("masterdata", STORE)[-1])
    async with till_http(client, settings, engine) as http:
        watermark = (await pull(http, f"/v1/stores/{STORE}/masterdata"))["watermark"]

    await tryton_rest.write("product.product", product["id"], {"active": False})
    removal = await sync_now(client, settings, STORE)

    assert removal.pushed and removal.pushed.pushed, removal
    pushed = receiver.of("masterdata", STORE)[-1]
    assert ([item["code"] for item in pushed["removed"]], pushed["articles"]) == ([retired], [])
    async with till_http(client, settings, engine) as http:
        since = quote(watermark)
        delta = await pull(http, f"/v1/stores/{STORE}/masterdata?since={since}")
        sitoo = await pull(http, f"/v1/stores/{STORE}/masterdata?since={since}&format=sitoo")
        snapshot = await pull(http, f"/v1/stores/{STORE}/masterdata")
        sitoo_snapshot = await pull(http, f"/v1/stores/{STORE}/masterdata?format=sitoo")
    assert [item["code"] for item in delta["removed"]] == [retired]
    assert retired not in _articles(delta)
    assert sitoo["products"] == [{"sku": retired, "active": False, "activepos": False}]
    assert retired not in _articles(snapshot) and snapshot["removed"] == []
    assert "TEA-001" in _articles(snapshot), "the snapshot keeps the items still sold"
    assert retired not in {product["sku"] for product in sitoo_snapshot["products"]}


async def _new_item(rest: TrytonRest, code: str) -> None:
    item = CatalogItem(code=code, name=code, list_price=Decimal("2.00"), cost_price=Decimal(1))
    await TrytonCatalog(rest).add_products([item])


async def test_the_stores_schedule_publishes_an_item_made_in_tryton(
    temporal_env: WorkflowEnvironment,
    worker: None,
    settings: Settings,
    receiver: TillReceiver,
    tryton_rest: TrytonRest,
) -> None:
    client = temporal_env.client
    await _new_item(tryton_rest, "SCHED-001")
    [schedule_id] = await ensure_master_data_schedules(client, settings, [STORE])
    handle = client.get_schedule_handle(schedule_id)
    try:
        spec = (await handle.describe()).schedule.spec
        assert [interval.every.total_seconds() for interval in spec.intervals] == [15 * 60]
        await handle.trigger()
        async with asyncio.timeout(60):
            while True:
                actions = (await handle.describe()).info.recent_actions
                if actions:
                    break
                await asyncio.sleep(0.2)
        action = actions[-1].action
        assert isinstance(action, ScheduleActionExecutionStartWorkflow)
        await client.get_workflow_handle(action.workflow_id).result()
    finally:
        await handle.delete()

    pushed = receiver.of("masterdata", STORE)
    assert pushed and "SCHED-001" in {article["code"] for article in pushed[-1]["articles"]}
