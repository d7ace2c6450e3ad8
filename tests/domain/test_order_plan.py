"""The ERP order keeps the till's prices, puts each discount on its own line, nets tax out."""

from decimal import Decimal

from domain.mapping import LineMapping, TransactionMapping
from domain.order_plan import plan_erp_order
from domain.transaction import DiscountKind
from tests.factories import make_sale, sale_line

MAPPING = TransactionMapping(
    warehouse_code="WH-LON",
    lines=[LineMapping(line_number=1, product_code="MUG-001")],
    tax_codes={"UK-STD": "VAT20"},
)


def test_manual_override_is_its_own_line_and_nets_match_the_till() -> None:
    discount = {"kind": "manual_override", "amount": "1.00", "cashier_id": "C1", "reason": "chip"}
    txn = make_sale("T-1", [sale_line(1, "100002", "1", "9.00", discounts=[discount])])
    order = plan_erp_order(txn, MAPPING, txn.workflow_id)

    [product] = order.product_lines
    assert (product.product_code, product.unit_price, product.net_amount) == (
        "MUG-001",
        Decimal("7.5000"),
        Decimal("7.50"),
    )
    [override] = order.discount_lines
    assert override.kind is DiscountKind.MANUAL_OVERRIDE
    assert override.net_amount == Decimal("-0.83")
    assert "by cashier C1" in override.description and "reason: chip" in override.description
    assert override.taxes[0].erp_tax_code == "VAT20"
    assert order.lines_net_total == txn.totals.net == Decimal("6.67")


def test_pack_factor_converts_quantity_and_price_to_erp_units() -> None:
    mapping = MAPPING.model_copy(
        update={"lines": [LineMapping(line_number=1, product_code="MUG-001", factor=Decimal(6))]}
    )
    txn = make_sale("T-2", [sale_line(1, "PACK6", "2", "43.20")])
    [product] = plan_erp_order(txn, mapping, txn.workflow_id).product_lines
    assert product.quantity == Decimal(12)
    assert product.unit_price == Decimal("6.0000")
    assert product.net_amount == Decimal("72.00")


def test_basket_discount_spreads_over_tax_groups() -> None:
    lines = [
        sale_line(1, "A", "1", "12.00"),
        sale_line(2, "B", "1", "6.00", rate="0", tax_code="UK-ZERO"),
    ]
    basket = [{"kind": "coupon", "amount": "3.00", "code": "SAVE3"}]
    txn = make_sale("T-3", lines, discounts=basket)
    mapping = TransactionMapping(
        warehouse_code="WH-LON",
        lines=[
            LineMapping(line_number=1, product_code="A"),
            LineMapping(line_number=2, product_code="B"),
        ],
    )
    discount_lines = plan_erp_order(txn, mapping, txn.workflow_id).discount_lines
    assert [line.net_amount for line in discount_lines] == [Decimal("-1.67"), Decimal("-1.00")]
    assert {line.kind for line in discount_lines} == {DiscountKind.COUPON}
