"""The invariant checker on fabricated books: it passes a day booked right and fails each way
a day can go wrong."""

from dataclasses import replace
from decimal import Decimal

from tests.chaos.day import BUSINESS_DAY, Ticket, store_day
from tests.chaos.invariant import ErpBooks, ErpDocument, StoreView, Verdict, check

DAY = store_day(200, 4)


def _books_as_they_should_be(tickets: list[Ticket]) -> tuple[ErpBooks, ErpBooks, StoreView]:
    """An ERP and a store that booked ``tickets`` right, from 100 of each product on hand."""
    opening_stock = {
        (warehouse, code): Decimal(100)
        for warehouse in ("WH-LON", "WH-LDS")
        for code in ("TEA-001", "MUG-001", "BISC-001", "COF-001", "BAG-001")
    }
    closing_stock = dict(opening_stock)
    documents: dict[str, list[ErpDocument]] = {}
    takings: dict[tuple[str, object], Decimal] = {}
    journal: dict[str, str] = {}
    exceptions: dict[str, list[str]] = {}
    for ticket in tickets:
        if not ticket.complete:
            journal[ticket.workflow_id] = "ignored"
            continue
        if not ticket.postable:
            exceptions[ticket.workflow_id] = ["unmapped_product"]
            continue
        assert ticket.warehouse
        documents[ticket.workflow_id] = [
            ErpDocument(ticket.workflow_id, "stock.shipment.out", "done", dict(ticket.stock_change))
        ]
        for code, quantity in ticket.stock_change.items():
            closing_stock[(ticket.warehouse, code)] += quantity
        key = (ticket.store_id, BUSINESS_DAY)
        takings[key] = takings.get(key, Decimal(0)) + ticket.gross
        journal[ticket.workflow_id] = "posted"
    opening = ErpBooks(documents={}, stock=opening_stock, takings={})
    closing = ErpBooks(documents=documents, stock=closing_stock, takings=takings)  # type: ignore[arg-type]
    return opening, closing, StoreView(journal=journal, open_exceptions=exceptions)


def _check(
    opening: ErpBooks, closing: ErpBooks, store: StoreView, accepted: set[str] | None = None
) -> Verdict:
    every = {ticket.workflow_id for ticket in DAY}
    return check(DAY, every if accepted is None else accepted, opening, closing, store)


def _a(kind: str) -> Ticket:
    """The day's first ticket of ``kind``, one that moves stock if the kind can."""
    of_kind = [ticket for ticket in DAY if ticket.kind == kind]
    return next((t for t in of_kind if any(t.stock_change.values())), of_kind[0])


def test_a_day_booked_right_passes() -> None:
    verdict = _check(*_books_as_they_should_be(DAY))
    assert verdict.ok, verdict.problems
    postable = sum(1 for ticket in DAY if ticket.postable)
    assert verdict.tickets == len(DAY) and verdict.posted_once == postable
    assert verdict.lost == verdict.posted_twice == 0


def test_a_ticket_booked_twice_fails_as_posted_twice() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    sale = _a("sale")
    again = ErpDocument(f"{sale.workflow_id}~2", "stock.shipment.out", "done", {})
    closing.documents[sale.workflow_id].append(again)
    verdict = _check(opening, closing, store)
    assert not verdict.ok and verdict.posted_twice == 1


def test_a_ticket_missing_from_the_erp_without_an_exception_is_lost() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    sale = _a("sale")
    del closing.documents[sale.workflow_id]
    verdict = _check(opening, closing, store)
    assert not verdict.ok and verdict.lost == 1


def test_a_ticket_missing_from_the_erp_with_an_open_exception_passes_as_such() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    sale = _a("sale")
    del closing.documents[sale.workflow_id]
    for (warehouse, code), quantity in list(closing.stock.items()):
        if warehouse == sale.warehouse and code in sale.stock_change:
            closing.stock[(warehouse, code)] = quantity - sale.stock_change[code]
    closing.takings[(sale.store_id, BUSINESS_DAY)] -= sale.gross
    del store.journal[sale.workflow_id]
    store.open_exceptions[sale.workflow_id] = ["erp_unavailable"]
    verdict = _check(opening, closing, store)
    assert verdict.ok, verdict.problems
    assert verdict.open_exceptions == 1 and verdict.parked == [sale.workflow_id]


def _parked_with_its_reservation(kind: str) -> tuple[ErpBooks, ErpBooks, StoreView, Ticket]:
    """Books where a ticket of ``kind`` parked after its reservation: the ERP holds its sale
    (reserved, or released: Tryton leaves a released sale done, its moves cancelled) and
    moved nothing for it; the store journaled it parked, with an open exception."""
    opening, closing, store = _books_as_they_should_be(DAY)
    ticket = _a(kind)
    closing.documents[ticket.workflow_id] = [
        ErpDocument(ticket.workflow_id, "sale.sale", "done", {})
    ]
    for code, quantity in ticket.stock_change.items():
        closing.stock[(str(ticket.warehouse), code)] -= quantity
    closing.takings[(ticket.store_id, BUSINESS_DAY)] -= ticket.gross
    store.journal[ticket.workflow_id] = "parked"
    store.open_exceptions[ticket.workflow_id] = ["erp_rejected"]
    return opening, closing, store, ticket


def test_a_ticket_parked_after_its_reservation_passes_as_an_open_exception() -> None:
    opening, closing, store, exchange = _parked_with_its_reservation("exchange")
    verdict = _check(opening, closing, store)
    assert verdict.ok, verdict.problems
    assert verdict.parked == [exchange.workflow_id] and verdict.open_exceptions == 1


def test_a_ticket_journaled_posted_whose_sale_moved_nothing_fails() -> None:
    opening, closing, store, exchange = _parked_with_its_reservation("exchange")
    store.journal[exchange.workflow_id] = "posted"
    del store.open_exceptions[exchange.workflow_id]
    verdict = _check(opening, closing, store)
    assert f"{exchange.workflow_id}: the ERP moved {{}}" in verdict.problems[0]
    assert len(verdict.problems) > 1, "its stock and takings are off too"


def test_a_parked_ticket_whose_stock_the_erp_moved_fails() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    sale = _a("sale")
    del store.journal[sale.workflow_id]
    store.open_exceptions[sale.workflow_id] = ["erp_rejected"]
    verdict = _check(opening, closing, store)
    assert not verdict.ok
    assert verdict.problems[0].startswith(f"{sale.workflow_id}: open exception ['erp_rejected']")


def test_a_ticket_in_the_erp_but_neither_posted_nor_excepted_is_lost() -> None:
    opening, closing, store, exchange = _parked_with_its_reservation("exchange")
    del store.open_exceptions[exchange.workflow_id]
    verdict = _check(opening, closing, store)
    assert verdict.lost == 1
    assert verdict.problems == [f"{exchange.workflow_id}: journaled parked, and no open exception"]


def test_an_accepted_ticket_neither_journaled_nor_excepted_is_lost() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    incomplete = _a("incomplete")
    del store.journal[incomplete.workflow_id]
    verdict = _check(opening, closing, store)
    assert verdict.lost == 1 and not verdict.ok


def test_a_ticket_never_accepted_is_lost() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    accepted = {ticket.workflow_id for ticket in DAY} - {_a("sale").workflow_id}
    assert _check(opening, closing, store, accepted).lost == 1


def test_an_incomplete_ticket_that_moved_stock_fails() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    incomplete = _a("incomplete")
    moved = ErpDocument(incomplete.workflow_id, "stock.shipment.out", "done", {})
    closing.documents[incomplete.workflow_id] = [moved]
    verdict = _check(opening, closing, store)
    assert not verdict.ok
    assert any("incomplete" in problem for problem in verdict.problems)


def test_quantities_other_than_the_tills_fail() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    sale = _a("sale")
    [document] = closing.documents[sale.workflow_id]
    wrong = {code: quantity * 2 for code, quantity in document.stock_in.items()}
    closing.documents[sale.workflow_id] = [replace(document, stock_in=wrong)]
    assert not _check(opening, closing, store).ok


def test_stock_that_moved_without_a_ticket_fails() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    closing.stock[("WH-LON", "TEA-001")] -= 1
    verdict = _check(opening, closing, store)
    assert [p for p in verdict.problems if p.startswith("stock WH-LON TEA-001")]


def test_takings_other_than_the_tills_fail() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    closing.takings[("S001", BUSINESS_DAY)] += Decimal("0.01")
    verdict = _check(opening, closing, store)
    assert [p for p in verdict.problems if p.startswith("takings S001")]


def test_a_return_refused_though_its_original_is_booked_fails() -> None:
    opening, closing, store = _books_as_they_should_be(DAY)
    refund = _a("return")
    del closing.documents[refund.workflow_id]
    for code, quantity in refund.stock_change.items():
        closing.stock[(str(refund.warehouse), code)] -= quantity
    closing.takings[(refund.store_id, BUSINESS_DAY)] -= refund.gross
    del store.journal[refund.workflow_id]
    store.open_exceptions[refund.workflow_id] = ["return_refused"]

    refused = _check(opening, closing, store)

    assert not refused.ok and len(refused.problems) == 1
    assert "return refused, though" in refused.problems[0]
    store.open_exceptions[refund.workflow_id] = ["erp_unavailable"]
    assert _check(opening, closing, store).ok, "parked for another reason, it passes as such"
