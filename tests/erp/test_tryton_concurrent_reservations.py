"""One ticket reserved and committed by two calls at once (a step run again on another worker
while the first attempt is still inside the ERP): one sale stands, its goods moved once."""

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from domain.erp_order import ErpOrder
from domain.periods import PostingMode
from tests.erp_books import location_quantity
from tests.factories import BUSINESS_DATE, sale_line
from tests.till_tickets import book, plan, returned, uk_ticket

pytestmark = pytest.mark.erp

RACES = 2


@pytest.fixture
async def erp_connector_pair(
    erp_sandbox: TrytonSandboxInfo, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[TrytonConnector, TrytonConnector]]:
    """Two connectors, as two workers have: their requests reach the ERP at once."""
    mode = getattr(request, "param", PostingMode.PER_TRANSACTION)
    first = TrytonConnector(erp_sandbox.client(), posting_mode=mode)
    second = TrytonConnector(erp_sandbox.client(), posting_mode=mode)
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


async def _live_sales(rest: TrytonRest, reference: str) -> list[dict[str, Any]]:
    """The sales under ``reference`` with a document not cancelled (a sale released once
    processed ends done, its documents cancelled)."""
    sales = await rest.search(
        "sale.sale",
        [("reference", "=", reference)],
        ["shipment_returns.state", "shipments.state", "invoices.state"],
    )
    return [
        sale
        for sale in sales
        if any(
            document["state"] != "cancelled"
            for document in sale["shipment_returns"] + sale["shipments"] + sale["invoices"]
        )
    ]


async def _reserve_and_commit_twice_at_once(
    first: TrytonConnector, second: TrytonConnector, order: ErpOrder, mode: PostingMode
) -> None:
    await asyncio.gather(first.reserve(order), second.reserve(order))
    if mode is PostingMode.PER_TRANSACTION:
        await first.post(order.reference, BUSINESS_DATE)
        await first.pay(order.reference, order.payments)
    await asyncio.gather(first.commit(order.reference), second.commit(order.reference))


@pytest.mark.parametrize(
    "erp_connector_pair", [PostingMode.PER_TRANSACTION, PostingMode.DAILY], indirect=True
)
async def test_a_damaged_return_reserved_twice_at_once_is_received_once(
    erp_connector_pair: tuple[TrytonConnector, TrytonConnector],
    tryton_rest: TrytonRest,
    request: pytest.FixtureRequest,
) -> None:
    first, second = erp_connector_pair
    mode = request.node.callspec.params["erp_connector_pair"]
    for _ in range(RACES):
        order = plan(
            uk_ticket(
                [
                    returned(1, "100001", "-1", "3.60"),
                    returned(2, "100001", "-2", "3.60", condition="damaged"),
                ],
                kind="return",
            )
        )
        before = await first.stock_level("TEA-001", "WH-LON")
        damaged_before = await location_quantity(tryton_rest, "TEA-001", "WH-LON-DMG")

        await _reserve_and_commit_twice_at_once(first, second, order, mode)

        [sale] = await _live_sales(tryton_rest, order.reference)
        assert sorted(s["state"] for s in sale["shipment_returns"]) == ["done", "done"]
        assert (await first.stock_level("TEA-001", "WH-LON")).on_hand == before.on_hand + 1
        assert await location_quantity(tryton_rest, "TEA-001", "WH-LON-DMG") == (damaged_before + 2)


async def test_an_exchange_reserved_twice_at_once_moves_its_goods_once(
    erp_connector_pair: tuple[TrytonConnector, TrytonConnector], tryton_rest: TrytonRest
) -> None:
    first, second = erp_connector_pair
    original = plan(uk_ticket([sale_line(1, "100001", "5", "3.60")]))
    await book(first, original)
    for _ in range(RACES):
        order = plan(
            uk_ticket(
                [
                    returned(1, "100001", "-1", "3.60", original),
                    sale_line(2, "100002", "1", "9.00"),
                ],
                kind="exchange",
            ),
            originals={original.transaction_id: original.reference},
        )
        tea = await first.stock_level("TEA-001", "WH-LON")
        mug = await first.stock_level("MUG-001", "WH-LON")

        await _reserve_and_commit_twice_at_once(first, second, order, PostingMode.PER_TRANSACTION)

        [sale] = await _live_sales(tryton_rest, order.reference)
        assert [s["state"] for s in sale["shipments"]] == ["done"]
        assert [s["state"] for s in sale["shipment_returns"]] == ["done"]
        assert [i["state"] for i in sale["invoices"]] == ["paid"]
        assert (await first.stock_level("TEA-001", "WH-LON")).on_hand == tea.on_hand + 1
        assert (await first.stock_level("MUG-001", "WH-LON")).on_hand == mug.on_hand - 1
    remaining = await first.returnable_quantity(original.reference, 1)
    assert remaining.remaining == Decimal(5 - RACES)
