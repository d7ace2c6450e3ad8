"""Fixtures of the daily connector's ticket shipments in the real sandbox Tryton."""

from collections.abc import AsyncIterator
from datetime import date

import pytest

from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton.rpc import TrytonRpc
from tests.erp.ticket_shipments.tickets import STOCKED


@pytest.fixture(autouse=True)
async def counted_back(
    tryton_daily_connector: TrytonConnector, tryton_rest: TrytonRest, tryton_rpc: TrytonRpc
) -> AsyncIterator[None]:
    """Each test leaves the goods' available stock as it found it (a stock take counts back
    what its reservations hold), so that the session's later tests on the same sandbox find
    the stock they found before these files ran both reservation paths."""
    before = await tryton_daily_connector.stock_levels(STOCKED, "WH-LON")
    yield
    after = {
        level.product_code: level
        for level in await tryton_daily_connector.stock_levels(STOCKED, "WH-LON")
    }
    products = await tryton_rest.search("product.product", [("code", "in", STOCKED)], ["code"])
    ids = {product["code"]: product["id"] for product in products}
    lines = [
        {"product": ids[level.product_code], "quantity": float(now.on_hand + taken)}
        for level in before
        if (taken := level.available - (now := after[level.product_code]).available) > 0
    ]
    if lines:
        [warehouse] = await tryton_rest.search(
            "stock.location", [("code", "=", "WH-LON")], ["storage_location"]
        )
        inventories = await tryton_rpc.call(
            "stock.inventory",
            "create",
            [
                {
                    "location": warehouse["storage_location"],
                    "date": date.today(),
                    "lines": [["create", lines]],
                }
            ],
        )
        await tryton_rpc.call("stock.inventory", "confirm", inventories)


@pytest.fixture(params=["module", "client"])
def reserving(
    request: pytest.FixtureRequest, tryton_daily_connector: TrytonConnector
) -> TrytonConnector:
    """The daily connector reserving through tillsync's Tryton module, and as it does in a
    Tryton where the module is not activated (Tryton's own methods, one call each)."""
    shipments = tryton_daily_connector._ticket_shipments
    assert shipments is not None
    shipments.with_module = request.param == "module"
    return tryton_daily_connector
