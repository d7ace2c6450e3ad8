"""Daily posting mode in the real sandbox Tryton: a ticket that returns nothing is booked as a
customer shipment alone, a batch of them in a few JSON-RPC calls; returns find their original
line on it."""

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from connectors.erp.base import ReserveOutcome, ReserveRequest
from connectors.erp.errors import ErpRejected, ErpReturnRefused, ErpUnavailable, ErpUnknownCodes
from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton.ticket_reservations import ModuleReservations
from connectors.erp.tryton.ticket_shipments import TicketShipments
from domain.erp_order import ErpOrder, ErpOrderRefs
from tests.factories import sale_line
from tests.till_tickets import plan, returned, uk_ticket

pytestmark = pytest.mark.erp

BATCH = 10
_STOCKED = ["BISC-001", "TEA-001"]
"""The goods this file's tickets sell, at WH-LON."""


@pytest.fixture(autouse=True)
async def counted_back(
    tryton_daily_connector: TrytonConnector, tryton_rest: TrytonRest, tryton_rpc: TrytonRpc
) -> AsyncIterator[None]:
    """Each test leaves the goods' available stock as it found it (a stock take counts back
    what its reservations hold), so that the session's later tests on the same sandbox find
    the stock they found before this file ran both reservation paths."""
    before = await tryton_daily_connector.stock_levels(_STOCKED, "WH-LON")
    yield
    after = {
        level.product_code: level
        for level in await tryton_daily_connector.stock_levels(_STOCKED, "WH-LON")
    }
    products = await tryton_rest.search("product.product", [("code", "in", _STOCKED)], ["code"])
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


def _tea_sale(quantity: str = "1") -> ErpOrder:
    return plan(uk_ticket([sale_line(1, "100001", quantity, "3.60")]))


async def _available(connector: TrytonConnector) -> Decimal:
    return (await connector.stock_level("TEA-001", "WH-LON")).available


async def _reserved(connector: TrytonConnector, order: ErpOrder) -> ErpOrderRefs:
    [outcome] = await connector.reserve_many([ReserveRequest(order)])
    assert isinstance(outcome, ErpOrderRefs), outcome
    return outcome


async def _tea_beyond_stock(connector: TrytonConnector) -> tuple[ErpOrder, Decimal]:
    """A ticket of biscuits (line 1) and of 2 more tea than Tryton counts (line 2), which
    Tryton reserves in part: it splits the tea's move."""
    available = await _available(connector)
    assert available > 0
    beyond_stock = available + 2
    lines = [sale_line(1, "100003", "1", "1.70"), sale_line(2, "100001", str(beyond_stock), "3.60")]
    return plan(uk_ticket(lines)), beyond_stock


def _shipments(outcomes: list[ReserveOutcome]) -> list[list[str]]:
    return [refs.shipment_ids if isinstance(refs, ErpOrderRefs) else [] for refs in outcomes]


async def _requests_to_reserve(
    connector: TrytonConnector, orders: list[ErpOrder]
) -> tuple[int, list[ReserveOutcome]]:
    sent = connector.requests_sent
    outcomes = await connector.reserve_many([ReserveRequest(order) for order in orders])
    assert all(isinstance(refs, ErpOrderRefs) and len(refs.shipment_ids) == 1 for refs in outcomes)
    return connector.requests_sent - sent, outcomes


async def test_a_batch_reserves_in_as_many_calls_as_one_before_any_financial_document(
    reserving: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    await _reserved(reserving, _tea_sale())  # codes and session, looked up once
    orders = [_tea_sale() for _ in range(BATCH)]
    before = await _available(reserving)

    for_two, _ = await _requests_to_reserve(reserving, [_tea_sale(), _tea_sale()])
    for_batch, reserved = await _requests_to_reserve(reserving, orders)

    assert for_batch <= for_two + 1, f"{BATCH} tickets: {for_batch} requests, 2: {for_two}"
    shipments = reserving._ticket_shipments
    assert shipments is not None
    # With the module: booked (created, named, noted), then reserved. Without: find, create,
    # note, the read for a second shipment a reference (with the moves' origins), the origins
    # written, wait, assign_try, the states read back.
    expected = 2 if shipments.with_module else 8
    assert for_two == expected, f"a fresh batch in {for_two} requests"
    assert await _available(reserving) == before - BATCH - 2
    for order in orders:
        assert (
            await tryton_rest.search("sale.sale", [("reference", "=", order.reference)], []) == []
        )
    again = await reserving.reserve_many([ReserveRequest(order) for order in orders])
    assert _shipments(again) == _shipments(reserved), "a retried batch finds its shipments"
    assert await _available(reserving) == before - BATCH - 2, "a retry books nothing more"


async def test_one_bad_order_fails_alone_in_its_batch(
    reserving: TrytonConnector,
) -> None:
    good = _tea_sale()
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
    kept, released, returned_after = _tea_sale(), _tea_sale(), _tea_sale("2")
    before = await tryton_daily_connector.stock_level("TEA-001", "WH-LON")
    for order in (kept, released, returned_after):
        await _reserved(tryton_daily_connector, order)
    await tryton_daily_connector.release_if_present(released.reference)
    await tryton_daily_connector.release_if_present(released.reference)

    issued = await tryton_daily_connector.commit_many([kept.reference, returned_after.reference])

    assert all(isinstance(refs, ErpOrderRefs) for refs in issued)
    after = await tryton_daily_connector.stock_level("TEA-001", "WH-LON")
    assert (after.on_hand, after.available) == (before.on_hand - 3, before.available - 3)
    await tryton_daily_connector.return_stock_if_present(returned_after.reference)
    await tryton_daily_connector.return_stock_if_present(returned_after.reference)
    assert (await _available(tryton_daily_connector)) == before.available - 1
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
    sale = _tea_sale("2")
    await _reserved(tryton_daily_connector, sale)

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
    await _reserved(tryton_daily_connector, original)
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

    before = await _available(tryton_daily_connector)
    back = plan(
        uk_ticket([returned(1, "100001", "-1", "3.60", sold, line=4)], kind="return"),
        originals={sold.transaction_id: original.reference},
    )
    refs = await tryton_daily_connector.reserve(back)
    await tryton_daily_connector.commit(back.reference)
    assert refs.sale_id is not None, "a return keeps the sale path"
    assert await _available(tryton_daily_connector) == before + 1


async def test_two_workers_reserving_one_ticket_at_once_leave_one_live_shipment(
    reserving: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    """A worker whose workflow task timed out still runs its reservation while another
    worker runs it again (found by the chaos suite): both find nothing and both create."""
    order = _tea_sale("2")
    before = await _available(reserving)

    first, second = await asyncio.gather(
        reserving.reserve_many([ReserveRequest(order)]),
        reserving.reserve_many([ReserveRequest(order)]),
    )

    live = await tryton_rest.search(
        "stock.shipment.out",
        [("reference", "=", order.reference), ("state", "!=", "cancelled")],
        ["id"],
    )
    assert len(live) == 1, f"live shipments under one ticket's reference: {live}"
    assert await _available(reserving) == before - 2, "reserved once"
    assert all(isinstance(outcome, ErpOrderRefs) for outcome in [*first, *second])
    again = await _reserved(reserving, order)
    assert again.shipment_ids == [str(live[0]["id"])]


async def test_a_shipment_left_in_draft_by_a_failed_attempt_is_cancelled_by_the_next(
    reserving: TrytonConnector, tryton_rest: TrytonRest, tryton_rpc: TrytonRpc
) -> None:
    """An attempt that created a second shipment and failed before reserving it (its ERP call
    timed out) leaves a draft under the ticket's reference: the next attempt keeps the
    reserved one and cancels the draft, and the day's posting issues the reserved one."""
    order = _tea_sale()
    reserved = await _reserved(reserving, order)
    [draft] = await tryton_rpc.call(
        "stock.shipment.out",
        "copy",
        [int(id_) for id_ in reserved.shipment_ids],
        {"reference": order.reference},
    )
    copied = await tryton_rest.read("stock.shipment.out", draft, ["reference", "state"])
    assert (copied["reference"], copied["state"]) == (order.reference, "draft")

    again = await _reserved(reserving, order)

    live = await tryton_rest.search(
        "stock.shipment.out",
        [("reference", "=", order.reference), ("state", "!=", "cancelled")],
        ["id", "state"],
    )
    assert [(str(row["id"]), row["state"]) for row in live] == [
        (reserved.shipment_ids[0], "assigned")
    ]
    assert again.shipment_ids == reserved.shipment_ids
    assert draft not in {row["id"] for row in live}


async def test_a_batch_whose_shipment_another_reservation_cancelled_is_tried_again(
    tryton_daily_connector: TrytonConnector,
    tryton_rpc: TrytonRpc,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another worker's reservation of the same ticket cancelled the shipment this batch kept,
    between its look and its assignment (chaos suite: Tryton refused the batch and its eight
    tickets parked as refused): the batch fails as transient, and its retry books them."""
    keep_one = TicketShipments._one_per_reference

    async def then_cancelled(shipments: TicketShipments, booked: dict[str, Any]) -> Any:
        kept = await keep_one(shipments, booked)
        await tryton_rpc.call("stock.shipment.out", "cancel", [r["id"] for r in kept.values()])
        return kept

    order, other = _tea_sale(), _tea_sale()
    shipments = tryton_daily_connector._ticket_shipments
    assert shipments is not None
    shipments.with_module = False
    with monkeypatch.context() as patched:
        patched.setattr(TicketShipments, "_one_per_reference", then_cancelled)
        with pytest.raises(ErpUnavailable):
            await tryton_daily_connector.reserve_many([ReserveRequest(order)])
    refs = await _reserved(tryton_daily_connector, other)
    assert len(refs.shipment_ids) == 1


async def test_a_ticket_whose_shipment_was_cancelled_between_booking_and_reserving_fails_alone(
    tryton_daily_connector: TrytonConnector,
    tryton_rpc: TrytonRpc,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through the module: a release of the ticket cancelled its shipment between the two
    requests. That ticket fails as transient, the rest of the batch is reserved, and its retry
    finds the shipment cancelled (released: not booked again)."""
    order, other = _tea_sale(), _tea_sale()
    book = ModuleReservations._book

    async def then_cancelled(module: ModuleReservations, tickets: Any) -> Any:
        booked = await book(module, tickets)
        shipment = booked[order.reference]
        assert isinstance(shipment, dict)
        await tryton_rpc.call("stock.shipment.out", "cancel", [shipment["id"]])
        return booked

    with monkeypatch.context() as patched:
        patched.setattr(ModuleReservations, "_book", then_cancelled)
        cancelled, reserved = await tryton_daily_connector.reserve_many(
            [ReserveRequest(order), ReserveRequest(other)]
        )
    assert isinstance(cancelled, ErpUnavailable), cancelled
    assert isinstance(reserved, ErpOrderRefs) and len(reserved.shipment_ids) == 1
    [again] = await tryton_daily_connector.reserve_many([ReserveRequest(order)])
    assert isinstance(again, ErpRejected) and "cancelled" in str(again)


async def test_a_shipment_kept_from_an_attempt_that_died_before_noting_it_gets_its_note(
    reserving: TrytonConnector,
    tryton_rpc: TrytonRpc,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An attempt died right after creating its shipment, before noting its lines, and the
    shipment was committed after the next attempt looked (found by the chaos suite: a return
    of that ticket was refused, "no sale line with that number"). The next attempt keeps the
    older shipment, and notes it; through the module, the draft is found when booking and
    noted when reserved."""
    order = plan(
        uk_ticket([sale_line(1, "100003", "1", "1.70"), sale_line(2, "100001", "2", "3.60")])
    )
    shipments = reserving._ticket_shipments
    assert shipments is not None
    planned = await shipments._drafts.plan(order)
    assert planned is not None
    [unnoted] = await tryton_rpc.call("stock.shipment.out", "create", [planned[0]])

    async def not_committed_yet(references: list[str]) -> dict[str, Any]:
        return {}

    if not shipments.with_module:  # the module looks in the transaction that books
        monkeypatch.setattr(shipments, "find", not_committed_yet)
    refs = await _reserved(reserving, order)
    monkeypatch.undo()

    assert refs.shipment_ids == [str(unnoted)], "the older shipment is kept"
    returnable = await reserving.returnable_quantity(order.reference, 2)
    assert (returnable.product_code, returnable.sold) == ("TEA-001", Decimal(2))


async def test_a_line_tryton_split_to_reserve_part_of_it_is_found_whole_by_a_return(
    reserving: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    """Tryton reserves what stock it counts and splits the rest off the line's move (then
    forced: the goods left the till), so the shipment has more moves than the ticket has
    lines. A return still finds each line whole (found by the chaos suite: such a return was
    refused, "no sale line with that number is booked under it"). The module reserves each
    move whole instead, and names the shipment as reserved beyond stock all the same."""
    shipments = reserving._ticket_shipments
    assert shipments is not None
    moves_of_tea = 1 if shipments.with_module else 2
    order, beyond_stock = await _tea_beyond_stock(reserving)
    refs = await _reserved(reserving, order)
    try:
        assert refs.reserved_beyond_stock
        [shipment_id] = [int(id_) for id_ in refs.shipment_ids]
        moves = await tryton_rest.search(
            "stock.move",
            [("shipment", "=", f"stock.shipment.out,{shipment_id}")],
            ["id"],
        )
        assert len(moves) == 1 + moves_of_tea, f"the tea's moves: {moves}"

        tea = await shipments._lines.shipped_line(shipment_id, 2)
        biscuits = await shipments._lines.shipped_line(shipment_id, 1)

        assert tea is not None and biscuits is not None
        assert (tea.product_code, Decimal(str(tea.quantity))) == ("TEA-001", beyond_stock)
        assert len(tea.move_ids) == moves_of_tea
        assert sorted(tea.move_ids + biscuits.move_ids) == sorted(move["id"] for move in moves)
        assert (biscuits.product_code, biscuits.quantity, len(biscuits.move_ids)) == (
            "BISC-001",
            1,
            1,
        )
    finally:
        await reserving.release_if_present(order.reference)
    assert await _available(reserving) == beyond_stock - 2, "the reservation released"


async def test_a_draft_left_unnamed_by_a_dead_attempt_is_named_before_tryton_splits_it(
    reserving: TrytonConnector, tryton_rest: TrytonRest, tryton_rpc: TrytonRpc
) -> None:
    """An attempt created and noted its shipment, then died before naming its moves (found by
    the chaos suite: the next attempt reserved it beyond stock, Tryton split a move, and the
    part split off named no line). The next attempt names them first."""
    shipments = reserving._ticket_shipments
    assert shipments is not None
    moves_of_tea = 1 if shipments.with_module else 2
    order, beyond_stock = await _tea_beyond_stock(reserving)
    planned = await shipments._drafts.plan(order)
    assert planned is not None
    [unnamed] = await tryton_rpc.call("stock.shipment.out", "create", [planned[0]])
    await shipments._lines.write({unnamed: planned[1]})

    refs = await _reserved(reserving, order)
    try:
        assert refs.shipment_ids == [str(unnamed)] and refs.reserved_beyond_stock
        moves = await tryton_rest.search(
            "stock.move",
            [("shipment", "=", f"stock.shipment.out,{unnamed}")],
            ["id", "origin"],
            order=[("id", "ASC")],
        )
        own = {f"stock.move,{move['id']}" for move in moves[:2]}
        assert len(moves) == 1 + moves_of_tea, moves
        assert {move["origin"] for move in moves} == own, moves
        tea = await shipments._lines.shipped_line(unnamed, 2)
        assert tea is not None and Decimal(str(tea.quantity)) == beyond_stock
        assert len(tea.move_ids) == moves_of_tea
    finally:
        await reserving.release_if_present(order.reference)
