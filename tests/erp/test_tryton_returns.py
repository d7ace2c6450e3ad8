"""Returns and exchanges in the real sandbox Tryton: against the original sale, at its cost,
restocked by condition, never more than was sold; compensations undo them."""

from decimal import Decimal
from typing import Any

import pytest

from connectors.erp.errors import ErpReturnRefused
from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton.rpc import TrytonRpc
from domain.erp_order import ErpOrder
from tests.erp_books import location_quantity, set_cost_price
from tests.factories import BUSINESS_DATE, sale_line
from tests.till_tickets import book, credit, invoice_move_lines, plan, returned, uk_ticket

pytestmark = pytest.mark.erp

COGS, STOCK_INTERIM = "5.2.1", "1.3.6"


def return_of(lines: list[dict[str, Any]], *originals: ErpOrder, kind: str = "return") -> ErpOrder:
    """The till's return (or exchange) ticket, planned against its originals' ERP references."""
    return plan(
        uk_ticket(lines, kind=kind),
        originals={original.transaction_id: original.reference for original in originals},
    )


async def test_a_referenced_return_credits_cogs_at_the_original_unit_cost(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest, tryton_rpc: TrytonRpc
) -> None:
    original = plan(uk_ticket([sale_line(1, "100006", "3", "1.80")]))  # chocolate, cost 0.55
    sold = await book(tryton_connector, original)
    await set_cost_price(tryton_rest, tryton_rpc, "CHOC-001", "0.90")
    try:
        order = return_of([returned(1, "100006", "-2", "1.80", original)], original)
        posting = await book(tryton_connector, order)
    finally:
        await set_cost_price(tryton_rest, tryton_rpc, "CHOC-001", "0.55")

    refs = posting.refs
    assert refs.sale_id is not None and refs.invoice_id is not None
    sale = await tryton_rest.read("sale.sale", refs.sale_id, ["origin", "shipment_returns.state"])
    assert sale["origin"] == f"sale.sale,{sold.refs.sale_id}"
    assert [shipment["state"] for shipment in sale["shipment_returns"]] == ["done"]
    assert posting.gross_total == Decimal("-3.60")
    books = await invoice_move_lines(tryton_rest, refs.invoice_id)
    assert credit(books, COGS) == Decimal("1.10"), "2 x 0.55, the cost when it was sold"
    assert credit(books, STOCK_INTERIM) == Decimal("-1.10")
    invoice = await tryton_rest.read("account.invoice", refs.invoice_id, ["state"])
    assert invoice["state"] == "paid", "the refund paid the credit note"


async def test_an_unreferenced_return_is_booked_at_the_current_cost(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    order = return_of([returned(1, "100005", "-2", "1.20")])  # tote bag, cost 0.30

    posting = await book(tryton_connector, order)

    assert posting.refs.invoice_id is not None
    books = await invoice_move_lines(tryton_rest, posting.refs.invoice_id)
    assert credit(books, COGS) == Decimal("0.60")


async def test_damaged_returns_never_raise_available_stock_resaleable_ones_do(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    order = return_of(
        [
            returned(1, "100001", "-1", "3.60"),
            returned(2, "100001", "-2", "3.60", condition="damaged"),
        ]
    )
    before = await tryton_connector.stock_level("TEA-001", "WH-LON")
    damaged_before = await location_quantity(tryton_rest, "TEA-001", "WH-LON-DMG")

    refs = await tryton_connector.reserve(order)
    assert await tryton_connector.reserve(order) == refs, "a retried reserve books nothing more"
    reserved = await tryton_connector.stock_level("TEA-001", "WH-LON")
    await tryton_connector.post(order.reference, BUSINESS_DATE)
    await tryton_connector.commit(order.reference)

    after = await tryton_connector.stock_level("TEA-001", "WH-LON")
    assert reserved == before
    assert (after.on_hand, after.available) == (before.on_hand + 1, before.available + 1)
    assert await location_quantity(tryton_rest, "TEA-001", "WH-LON-DMG") == damaged_before + 2
    assert len(refs.return_shipment_ids) == 2, "one into storage, one into damaged goods"

    await tryton_connector.return_stock_if_present(order.reference)
    await tryton_connector.return_stock_if_present(order.reference)

    assert await tryton_connector.stock_level("TEA-001", "WH-LON") == before
    assert await location_quantity(tryton_rest, "TEA-001", "WH-LON-DMG") == damaged_before


async def test_returnable_quantity_allows_partial_returns_and_never_more_than_sold(
    tryton_connector: TrytonConnector,
) -> None:
    original = plan(uk_ticket([sale_line(1, "100002", "3", "9.00")]))
    await book(tryton_connector, original)
    first = return_of([returned(1, "100002", "-2", "9.00", original)], original)
    too_many = return_of([returned(1, "100002", "-2", "9.00", original)], original)
    last = return_of([returned(1, "100002", "-1", "9.00", original)], original)

    assert (await tryton_connector.returnable_quantity(original.reference, 1)).remaining == 3
    await tryton_connector.reserve(first)
    assert (await tryton_connector.returnable_quantity(original.reference, 1)).remaining == 1
    with pytest.raises(
        ErpReturnRefused, match="2 asked back but only 1 of the 3 sold remain returnable"
    ):
        await tryton_connector.reserve(too_many)
    assert await tryton_connector.find_order(too_many.reference) is None, "nothing booked"
    await tryton_connector.reserve(last)
    assert (await tryton_connector.returnable_quantity(original.reference, 1)).remaining == 0

    await tryton_connector.release_if_present(first.reference)

    left = await tryton_connector.returnable_quantity(original.reference, 1)
    assert (left.sold, left.returned, left.remaining) == (Decimal(3), Decimal(1), Decimal(2))
    with pytest.raises(ErpReturnRefused, match="no sale line"):
        await tryton_connector.returnable_quantity(original.reference, 9)


async def test_an_exchange_books_both_parts_and_its_compensations_undo_both(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    original = plan(uk_ticket([sale_line(1, "100001", "2", "3.60")]))
    sold = await book(tryton_connector, original)
    # One tea back (3.60), a mug out (9.00): the customer pays the difference, 5.40.
    order = return_of(
        [returned(1, "100001", "-1", "3.60", original), sale_line(2, "100002", "1", "9.00")],
        original,
        kind="exchange",
    )
    tea = await tryton_connector.stock_level("TEA-001", "WH-LON")
    mug = await tryton_connector.stock_level("MUG-001", "WH-LON")

    posting = await book(tryton_connector, order)

    refs = posting.refs
    assert refs.sale_id is not None and refs.invoice_id is not None
    sale = await tryton_rest.read(
        "sale.sale", refs.sale_id, ["origin", "shipments.state", "shipment_returns.state"]
    )
    assert sale["origin"] == f"sale.sale,{sold.refs.sale_id}"
    assert [s["state"] for s in sale["shipments"] + sale["shipment_returns"]] == ["done", "done"]
    invoice = await tryton_rest.read("account.invoice", refs.invoice_id, ["state", "total_amount"])
    assert (invoice["state"], invoice["total_amount"]) == ("paid", Decimal("5.40"))
    books = await invoice_move_lines(tryton_rest, refs.invoice_id)
    assert credit(books, COGS) == Decimal("1.20") - Decimal("3.00"), "tea back, mug out"
    assert (await tryton_connector.stock_level("TEA-001", "WH-LON")).on_hand == tea.on_hand + 1
    assert (await tryton_connector.stock_level("MUG-001", "WH-LON")).on_hand == mug.on_hand - 1

    for _ in range(2):
        await tryton_connector.return_stock_if_present(order.reference)
        await tryton_connector.void_payments_if_present(order.reference)
        await tryton_connector.cancel_posting_if_present(order.reference)
        await tryton_connector.release_if_present(order.reference)

    assert await tryton_connector.stock_level("TEA-001", "WH-LON") == tea
    assert await tryton_connector.stock_level("MUG-001", "WH-LON") == mug
    invoice = await tryton_rest.read("account.invoice", refs.invoice_id, ["state"])
    assert invoice["state"] == "cancelled"
    assert (await tryton_connector.returnable_quantity(original.reference, 1)).remaining == 2
