"""The stock ledger: a warehouse's on-hand explained by what tillsync booked."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.erp_order import ErpOrder, ErpProductLine, StockLevel
from domain.stock_ledger import (
    BookedMovement,
    LedgerMovement,
    MovementCause,
    explain_stock,
    movements_in_span,
    order_movements,
    received_movements,
)
from domain.transaction import ItemCondition


def line(
    number: int, code: str, quantity: int, condition: ItemCondition | None = None
) -> ErpProductLine:
    return ErpProductLine(
        pos_line_number=number,
        product_code=code,
        description=code,
        quantity=Decimal(quantity),
        unit_price=Decimal(1),
        net_amount=Decimal(quantity),
        condition=condition,
    )


def order_of(*lines: ErpProductLine) -> ErpOrder:
    return ErpOrder(
        reference="pos:S001:T1:1",
        transaction_id="1",
        store_id="S001",
        terminal_id="T1",
        warehouse_code="WH-LON",
        customer_code=None,
        sale_date=date(2026, 11, 20),
        currency="GBP",
        product_lines=list(lines),
        net_total=Decimal(0),
        tax_total=Decimal(0),
        gross_total=Decimal(0),
        description="",
    )


def test_a_ticket_moves_sold_goods_out_and_resaleable_returns_in() -> None:
    order = order_of(
        line(1, "TEA", 3),
        line(2, "MUG", -1, ItemCondition.RESALEABLE),
        line(3, "BAG", -2, ItemCondition.DAMAGED),
    )

    assert [(m.product_code, m.cause, m.quantity) for m in order_movements(order)] == [
        ("TEA", MovementCause.SALE, Decimal(-3)),
        ("MUG", MovementCause.RETURN, Decimal(1)),
    ]


def test_abandoned_books_move_their_goods_as_abandoned() -> None:
    order = order_of(line(1, "TEA", 2), line(2, "MUG", -1, ItemCondition.RESALEABLE))

    assert [
        (m.product_code, m.cause, m.quantity) for m in order_movements(order, abandoned=True)
    ] == [
        ("TEA", MovementCause.ABANDONED, Decimal(-2)),
        ("MUG", MovementCause.ABANDONED, Decimal(1)),
    ]


def erp(code: str, on_hand: int, available: int | None = None) -> StockLevel:
    return StockLevel(
        product_code=code,
        warehouse_code="WH-LON",
        on_hand=Decimal(on_hand),
        available=Decimal(on_hand if available is None else available),
    )


def movement(code: str, cause: MovementCause, quantity: int) -> LedgerMovement:
    return LedgerMovement(
        warehouse_code="WH-LON", product_code=code, cause=cause, quantity=Decimal(quantity)
    )


def test_each_line_sums_its_causes_and_shows_what_they_do_not_explain() -> None:
    ledger = explain_stock(
        {("WH-LON", "TEA"): Decimal(100), ("WH-LON", "MUG"): Decimal(5)},
        [
            movement("TEA", MovementCause.SALE, -3),
            movement("TEA", MovementCause.SALE, -1),
            movement("TEA", MovementCause.TRANSFER_OUT, -10),
            movement("TEA", MovementCause.RECEIPT, 20),
            movement("BAG", MovementCause.TRANSFER_IN, 4),
        ],
        {
            ("WH-LON", "TEA"): erp("TEA", 106),
            ("WH-LON", "MUG"): erp("MUG", 4),
            ("WH-LON", "BAG"): erp("BAG", 4),
        },
    )

    by_product = {item.product_code: item for item in ledger}
    assert by_product["TEA"].movements == {
        MovementCause.SALE: -4,
        MovementCause.TRANSFER_OUT: -10,
        MovementCause.RECEIPT: 20,
    }
    assert (by_product["TEA"].closing, by_product["TEA"].explained) == (Decimal(106), True)
    assert (by_product["MUG"].difference, by_product["MUG"].explained) == (Decimal(-1), False)
    assert (by_product["BAG"].opening, by_product["BAG"].explained) == (Decimal(0), True)


def test_a_receipt_moves_what_arrived_in_by_product_code_and_nothing_for_a_zero_count() -> None:
    received = {"TEA-001": Decimal(3), "BAG-001": Decimal(0), "MUG-001": Decimal("1.5")}

    movements = received_movements("WH-LON", MovementCause.TRANSFER_IN, received)

    assert movements == [
        LedgerMovement(
            warehouse_code="WH-LON",
            product_code="MUG-001",
            cause=MovementCause.TRANSFER_IN,
            quantity=Decimal("1.5"),
        ),
        LedgerMovement(
            warehouse_code="WH-LON",
            product_code="TEA-001",
            cause=MovementCause.TRANSFER_IN,
            quantity=Decimal(3),
        ),
    ]


def test_a_sale_reserved_and_not_yet_issued_is_explained_by_the_erps_available() -> None:
    """Daily mode before the day's posting: the ERP holds the sold goods on hand, reserved."""
    sold = [movement("TEA", MovementCause.SALE, -3)]
    opening = {("WH-LON", "TEA"): Decimal(100)}

    [reserved] = explain_stock(opening, sold, {("WH-LON", "TEA"): erp("TEA", 100, 97)})
    [issued] = explain_stock(opening, sold, {("WH-LON", "TEA"): erp("TEA", 97)})
    [lost] = explain_stock(opening, sold, {("WH-LON", "TEA"): erp("TEA", 100)})

    assert (reserved.erp_on_hand, reserved.erp_reserved) == (Decimal(100), Decimal(3))
    assert reserved.explained
    assert (issued.erp_on_hand, issued.erp_reserved) == (Decimal(97), Decimal(0))
    assert issued.explained
    assert (lost.difference, lost.explained) == (Decimal(3), False), "a reservation the ERP lost"


def test_a_product_the_opening_snapshot_lacks_is_dated_by_its_business_day() -> None:
    opened = datetime(2026, 11, 20, 7, tzinfo=UTC)
    day = date(2026, 11, 20)

    def booked(code: str, quantity: int, business_date: date) -> BookedMovement:
        return BookedMovement(
            movement=movement(code, MovementCause.SALE, quantity),
            business_date=business_date,
            booked_at=opened + timedelta(hours=1),
        )

    counted = movements_in_span(
        [booked("TEA", -1, day - timedelta(1)), booked("MUG", -2, day - timedelta(1))],
        since=day,
        opened_at={("WH-LON", "TEA"): opened},
    )

    assert counted == [movement("TEA", MovementCause.SALE, -1)], "MUG has no snapshot"
