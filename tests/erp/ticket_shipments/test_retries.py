"""Ticket shipments booked again over what an earlier attempt, or another worker's, left in
the real sandbox Tryton (each found by the chaos suite): one live shipment a ticket, noted and
named before Tryton reserves it, whole to a return even where Tryton split a move."""

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from connectors.erp.base import ReserveRequest
from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.erp.tryton import TrytonConnector, TrytonRest, ticket_reservations
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton.ticket_reservations import ModuleReservations
from connectors.erp.tryton.ticket_shipments import TicketShipments
from domain.erp_order import ErpOrderRefs
from tests.erp.ticket_shipments.tickets import (
    available_tea,
    reserve_one,
    tea_beyond_stock,
    tea_sale,
    ticket_shipments,
)
from tests.factories import sale_line
from tests.till_tickets import plan, uk_ticket

pytestmark = pytest.mark.erp


async def test_two_workers_reserving_one_ticket_at_once_leave_one_live_shipment(
    reserving: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    """A worker whose workflow task timed out still runs its reservation while another
    worker runs it again (found by the chaos suite): both find nothing and both create."""
    order = tea_sale("2")
    before = await available_tea(reserving)

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
    assert await available_tea(reserving) == before - 2, "reserved once"
    assert all(isinstance(outcome, ErpOrderRefs) for outcome in [*first, *second])
    again = await reserve_one(reserving, order)
    assert again.shipment_ids == [str(live[0]["id"])]


async def test_a_shipment_left_in_draft_by_a_failed_attempt_is_cancelled_by_the_next(
    reserving: TrytonConnector, tryton_rest: TrytonRest, tryton_rpc: TrytonRpc
) -> None:
    """An attempt that created a second shipment and failed before reserving it (its ERP call
    timed out) leaves a draft under the ticket's reference: the next attempt keeps the
    reserved one and cancels the draft, and the day's posting issues the reserved one."""
    order = tea_sale()
    reserved = await reserve_one(reserving, order)
    [draft] = await tryton_rpc.call(
        "stock.shipment.out",
        "copy",
        [int(id_) for id_ in reserved.shipment_ids],
        {"reference": order.reference},
    )
    copied = await tryton_rest.read("stock.shipment.out", draft, ["reference", "state"])
    assert (copied["reference"], copied["state"]) == (order.reference, "draft")

    again = await reserve_one(reserving, order)

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

    order, other = tea_sale(), tea_sale()
    shipments = ticket_shipments(tryton_daily_connector)
    shipments.with_module = False
    with monkeypatch.context() as patched:
        patched.setattr(TicketShipments, "_one_per_reference", then_cancelled)
        with pytest.raises(ErpUnavailable):
            await tryton_daily_connector.reserve_many([ReserveRequest(order)])
    refs = await reserve_one(tryton_daily_connector, other)
    assert len(refs.shipment_ids) == 1


async def test_a_ticket_whose_shipment_was_cancelled_between_booking_and_reserving_fails_alone(
    tryton_daily_connector: TrytonConnector,
    tryton_rpc: TrytonRpc,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through the module: a release of the ticket cancelled its shipment between the two
    requests. That ticket fails as transient, the rest of the batch is reserved, and its retry
    finds the shipment cancelled (released: not booked again)."""
    order, other = tea_sale(), tea_sale()
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
    shipments = ticket_shipments(reserving)
    planned = await shipments._drafts.plan(order)
    assert planned is not None
    [unnoted] = await tryton_rpc.call("stock.shipment.out", "create", [planned[0]])

    async def not_committed_yet(references: list[str]) -> dict[str, Any]:
        return {}

    if not shipments.with_module:  # the module looks in the transaction that books
        monkeypatch.setattr(shipments, "find", not_committed_yet)
    refs = await reserve_one(reserving, order)
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
    shipments = ticket_shipments(reserving)
    moves_of_tea = 1 if shipments.with_module else 2
    order, beyond_stock = await tea_beyond_stock(reserving)
    refs = await reserve_one(reserving, order)
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
    assert await available_tea(reserving) == beyond_stock - 2, "the reservation released"


async def test_a_draft_left_unnamed_by_a_dead_attempt_is_named_before_tryton_splits_it(
    reserving: TrytonConnector, tryton_rest: TrytonRest, tryton_rpc: TrytonRpc
) -> None:
    """An attempt created and noted its shipment, then died before naming its moves (found by
    the chaos suite: the next attempt reserved it beyond stock, Tryton split a move, and the
    part split off named no line). The next attempt names them first."""
    shipments = ticket_shipments(reserving)
    moves_of_tea = 1 if shipments.with_module else 2
    order, beyond_stock = await tea_beyond_stock(reserving)
    planned = await shipments._drafts.plan(order)
    assert planned is not None
    [unnamed] = await tryton_rpc.call("stock.shipment.out", "create", [planned[0]])
    await shipments._lines.write({unnamed: planned[1]})

    refs = await reserve_one(reserving, order)
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


async def test_a_module_deactivated_while_the_worker_runs_leaves_the_batch_to_trytons_methods(
    tryton_daily_connector: TrytonConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The module was activated when the worker asked, and is not any more (deactivated, or
    the database restored without it): Tryton refuses its methods. The batch is reserved
    through Tryton's own methods, and so are the next, rather than every ticket refused."""
    shipments = ticket_shipments(tryton_daily_connector)
    shipments.with_module = True

    async def not_activated(module: ModuleReservations) -> bool:
        return False

    try:
        with monkeypatch.context() as patched:
            patched.setattr(ticket_reservations, "BOOK", "tillsync_gone")
            patched.setattr(ModuleReservations, "activated", not_activated)
            refs = await reserve_one(tryton_daily_connector, tea_sale())
            assert shipments.with_module is False
            again = await reserve_one(tryton_daily_connector, tea_sale())
        assert len(refs.shipment_ids) == 1 and len(again.shipment_ids) == 1
    finally:
        shipments.with_module = None
