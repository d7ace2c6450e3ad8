"""The pure rules of stock events: lines in ERP units, a transfer's differences, and a
purchase receipt's plan against what is still on order."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.mapping import LineMapping, TransactionMapping
from domain.outcomes import ExceptionKind, ExceptionOwner
from domain.stock_events import StockLine
from domain.stock_moves import (
    ErpPurchaseLine,
    ErpPurchaseOrder,
    ErpStockLine,
    erp_lines,
    plain,
    plan_purchase_receipt,
    totals_by_product,
    transfer_records,
)


def order(*lines: tuple[int, str, int, int]) -> ErpPurchaseOrder:
    return ErpPurchaseOrder(
        number="PO-1",
        warehouse_code="WH-LON",
        lines=[
            ErpPurchaseLine(
                line_id=str(line_id),
                product_code=code,
                ordered=Decimal(ordered),
                outstanding=Decimal(outstanding),
            )
            for line_id, code, ordered, outstanding in lines
        ],
    )


def counted(**quantities: int) -> list[ErpStockLine]:
    return [
        ErpStockLine(line_number=number, product_code=code, quantity=Decimal(quantity))
        for number, (code, quantity) in enumerate(quantities.items(), start=1)
    ]


def test_a_pack_counts_its_factor_in_erp_units() -> None:
    mapping = TransactionMapping(
        warehouse_code="WH-LON",
        lines=[LineMapping(line_number=1, product_code="TEA-6", factor=Decimal("6.0000"))],
    )
    [line] = erp_lines([StockLine(line_number=1, sku="P6", quantity=Decimal(2))], mapping)
    assert (line.product_code, str(line.quantity)) == ("TEA-6", "12")


def test_plain_quantities_never_use_exponents() -> None:
    assert [str(plain(Decimal(value))) for value in ("10.0000", "2.500", "0", "1E+1")] == [
        "10",
        "2.5",
        "0",
        "10",
    ]


def test_a_short_transfer_and_an_extra_item_are_two_records_for_inventory() -> None:
    records = transfer_records(
        "transfer:S001:T1",
        {"TEA": Decimal(10), "MUG": Decimal(2)},
        {"TEA": Decimal(9), "MUG": Decimal(2), "BAG": Decimal(1)},
    )

    assert [record.kind for record in records] == [
        ExceptionKind.TRANSFER_SHORT,
        ExceptionKind.TRANSFER_OVER,
    ]
    assert {record.kind.owner for record in records} == {ExceptionOwner.INVENTORY}
    assert records[0].details == {"TEA": "dispatched 10, received 9, missing 1"}
    assert records[1].details == {"BAG": "dispatched 0, received 1, extra 1"}


def test_a_transfer_received_as_sent_leaves_nothing_to_review() -> None:
    assert transfer_records("t", {"TEA": Decimal(3)}, {"TEA": Decimal("3.000")}) == []


def test_a_receipt_books_each_count_against_its_line_and_names_short_over_and_unordered() -> None:
    plan = plan_purchase_receipt(
        order((1, "TEA", 10, 10), (2, "MUG", 5, 5), (3, "BAG", 4, 4)),
        counted(TEA=8, MUG=7, BAG=4, CHOC=3),
    )

    assert [
        (line.product_code, int(line.quantity), line.purchase_line_id) for line in plan.lines
    ] == [
        ("BAG", 4, "3"),
        ("CHOC", 3, None),
        ("MUG", 7, "2"),
        ("TEA", 8, "1"),
    ]
    assert {record.kind: record.details for record in plan.records} == {
        ExceptionKind.RECEIPT_SHORT: {"TEA": "on order 10, counted 8, short 2"},
        ExceptionKind.RECEIPT_OVER: {"MUG": "on order 5, counted 7, over 2"},
        ExceptionKind.RECEIPT_UNORDERED: {"CHOC": "not on the order, counted 3"},
    }


def test_an_item_ordered_but_not_counted_is_short_and_nothing_is_booked_for_it() -> None:
    plan = plan_purchase_receipt(order((1, "TEA", 10, 10), (2, "MUG", 5, 5)), counted(TEA=10))

    assert [line.product_code for line in plan.lines] == ["TEA"]
    [short] = plan.records
    assert short.details == {"MUG": "on order 5, counted 0, short 5"}


def test_a_count_fills_a_products_open_lines_in_order_and_skips_received_ones() -> None:
    plan = plan_purchase_receipt(
        order((1, "TEA", 5, 0), (2, "TEA", 4, 4), (3, "TEA", 6, 6)), counted(TEA=12)
    )

    assert [(line.purchase_line_id, int(line.quantity)) for line in plan.lines] == [
        ("2", 4),
        ("3", 8),
    ]
    assert [record.kind for record in plan.records] == [ExceptionKind.RECEIPT_OVER]


@given(
    outstanding=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=4),
    count=st.integers(min_value=0, max_value=200),
)
def test_a_plan_books_exactly_what_was_counted(outstanding: list[int], count: int) -> None:
    lines = [(number, "TEA", value, value) for number, value in enumerate(outstanding, start=1)]
    plan = plan_purchase_receipt(order(*lines), counted(TEA=count))

    booked = totals_by_product(
        ErpStockLine(line_number=1, product_code=line.product_code, quantity=line.quantity)
        for line in plan.lines
    )
    assert booked.get("TEA", Decimal(0)) == count
    kinds = {record.kind for record in plan.records}
    assert kinds == (
        set()
        if count == sum(outstanding)
        else {ExceptionKind.RECEIPT_SHORT}
        if count < sum(outstanding)
        else {ExceptionKind.RECEIPT_OVER}
        if any(outstanding)
        else {ExceptionKind.RECEIPT_UNORDERED}
    )
