"""Daily posting mode in the real sandbox Tryton: a ticket that returns nothing is booked as a
customer shipment alone, a batch of them in a few JSON-RPC calls, issued at the day's posting;
returns find their original line on it."""

import asyncio
from decimal import Decimal

import pytest

from connectors.erp.base import ReserveOutcome, ReserveRequest
from connectors.erp.errors import ErpReturnRefused, ErpUnknownCodes
from connectors.erp.tryton import TrytonConnector, TrytonRest
from domain.erp_order import ErpOrder, ErpOrderRefs
from tests.erp.ticket_shipments.tickets import (
    available_tea,
    reserve_one,
    tea_sale,
    ticket_shipments,
)
from tests.factories import sale_line
from tests.till_tickets import plan, returned, uk_ticket

pytestmark = pytest.mark.erp

BATCH = 10


def shipment_ids(outcomes: list[ReserveOutcome]) -> list[list[str]]:
    return [refs.shipment_ids if isinstance(refs, ErpOrderRefs) else [] for refs in outcomes]


async def requests_to_reserve(
    connector: TrytonConnector, orders: list[ErpOrder]
) -> tuple[int, list[ReserveOutcome]]:
    sent = connector.requests_sent
    outcomes = await connector.reserve_many([ReserveRequest(order) for order in orders])
    assert all(isinstance(refs, ErpOrderRefs) and len(refs.shipment_ids) == 1 for refs in outcomes)
    return connector.requests_sent - sent, outcomes


async def test_a_batch_reserves_in_as_many_calls_as_one_before_any_financial_document(
    reserving: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    await reserve_one(reserving, tea_sale())  # codes and session, looked up once
    orders = [tea_sale() for _ in range(BATCH)]
    before = await available_tea(reserving)

    for_two, _ = await requests_to_reserve(reserving, [tea_sale(), tea_sale()])
    for_batch, reserved = await requests_to_reserve(reserving, orders)

    assert for_batch <= for_two + 1, f"{BATCH} tickets: {for_batch} requests, 2: {for_two}"
    shipments = ticket_shipments(reserving)
    # With the module: booked (created, named, noted), then reserved. Without: find, create,
    # note, the read for a second shipment a reference (with the moves' origins), the origins
    # written, wait, assign_try, the states read back.
    expected = 2 if shipments.with_module else 8
    assert for_two == expected, f"a fresh batch in {for_two} requests"
    assert await available_tea(reserving) == before - BATCH - 2
    for order in orders:
        assert (
            await tryton_rest.search("sale.sale", [("reference", "=", order.reference)], []) == []
        )
    again = await reserving.reserve_many([ReserveRequest(order) for order in orders])
    assert shipment_ids(again) == shipment_ids(reserved), "a retried batch finds its shipments"
    assert await available_tea(reserving) == before - BATCH - 2, "a retry books nothing more"


async def test_one_bad_order_fails_alone_in_its_batch(
    reserving: TrytonConnector,
) -> None:
    good = tea_sale()
    bad = plan(uk_ticket([sale_line(1, "100001", "1", "3.60")]))
    unknown = bad.product_lines[0].model_copy(update={"product_code": "NOPE-9"})
    bad = bad.model_copy(update={"product_lines": [unknown]})

    refused, reserved = await reserving.reserve_many([ReserveRequest(bad), ReserveRequest(good)])

    assert isinstance(refused, ErpUnknownCodes) and "NOPE-9" in str(refused)
    assert isinstance(reserved, ErpOrderRefs) and reserved.shipment_ids
    assert await reserving.find_order(bad.reference) is None


async def test_stock_is_issued_in_one_batch_and_a_release_or_return_undoes_it(
    tryton_daily_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    kept, released, returned_after = tea_sale(), tea_sale(), tea_sale("2")
    before = await tryton_daily_connector.stock_level("TEA-001", "WH-LON")
    for order in (kept, released, returned_after):
        await reserve_one(tryton_daily_connector, order)
    await tryton_daily_connector.release_if_present(released.reference)
    await tryton_daily_connector.release_if_present(released.reference)

    issued = await tryton_daily_connector.commit_many([kept.reference, returned_after.reference])

    assert all(isinstance(refs, ErpOrderRefs) for refs in issued)
    after = await tryton_daily_connector.stock_level("TEA-001", "WH-LON")
    assert (after.on_hand, after.available) == (before.on_hand - 3, before.available - 3)
    await tryton_daily_connector.return_stock_if_present(returned_after.reference)
    await tryton_daily_connector.return_stock_if_present(returned_after.reference)
    assert (await available_tea(tryton_daily_connector)) == before.available - 1
    states = {
        record["reference"]: record["state"]
        for record in await tryton_rest.search(
            "stock.shipment.out",
            [("reference", "in", [kept.reference, released.reference])],
            ["reference", "state"],
        )
    }
    assert states == {kept.reference: "done", released.reference: "cancelled"}


async def test_two_returns_of_one_sale_issuing_its_stock_at_once_both_go_on(
    tryton_daily_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    """Two returns of one sale woken together by its journal (found by the chaos suite), or a
    retried attempt beside the one it replaces: each issues the sale's reserved shipment
    before taking its line back, and the later call's button finds it packed or done."""
    sale = tea_sale("2")
    await reserve_one(tryton_daily_connector, sale)

    first, second = await asyncio.gather(
        tryton_daily_connector.commit_many([sale.reference]),
        tryton_daily_connector.commit_many([sale.reference]),
    )

    assert all(isinstance(outcome, ErpOrderRefs) for outcome in [*first, *second]), (
        first,
        second,
    )
    [shipment] = await tryton_rest.search(
        "stock.shipment.out", [("reference", "=", sale.reference)], ["state"]
    )
    assert shipment["state"] == "done"


async def test_a_return_finds_its_line_on_a_ticket_booked_as_stock_alone(
    tryton_daily_connector: TrytonConnector,
) -> None:
    sold = uk_ticket([sale_line(1, "100003", "3", "1.70"), sale_line(4, "100001", "2", "3.60")])
    original = plan(sold)
    await reserve_one(tryton_daily_connector, original)
    await tryton_daily_connector.commit(original.reference)

    returnable = await tryton_daily_connector.returnable_quantity(original.reference, 4)
    assert (returnable.product_code, returnable.sold) == ("TEA-001", Decimal(2))
    with pytest.raises(ErpReturnRefused):
        await tryton_daily_connector.returnable_quantity(original.reference, 2)

    too_many = plan(
        uk_ticket([returned(1, "100001", "-3", "3.60", sold, line=4)], kind="return"),
        originals={sold.transaction_id: original.reference},
    )
    with pytest.raises(ErpReturnRefused, match="only 2"):
        await tryton_daily_connector.reserve(too_many)
    wrong = plan(
        uk_ticket([returned(1, "100001", "-1", "3.60", sold, line=1)], kind="return"),
        originals={sold.transaction_id: original.reference},
    )
    with pytest.raises(ErpReturnRefused, match="BISC-001"):
        await tryton_daily_connector.reserve(wrong)

    before = await available_tea(tryton_daily_connector)
    back = plan(
        uk_ticket([returned(1, "100001", "-1", "3.60", sold, line=4)], kind="return"),
        originals={sold.transaction_id: original.reference},
    )
    refs = await tryton_daily_connector.reserve(back)
    await tryton_daily_connector.commit(back.reference)
    assert refs.sale_id is not None, "a return keeps the sale path"
    assert await available_tea(tryton_daily_connector) == before + 1
