"""The Sitoo adapter on sample orders: a sale, a parked order, a cancelled one and a refund."""

import json
from copy import deepcopy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from connectors.pos.base import AdapterResult
from connectors.pos.errors import PayloadError
from connectors.pos.sitoo import parse_sitoo_orders
from domain.totals import expected_totals, tender_total
from domain.transaction import (
    DiscountKind,
    PosTransaction,
    TenderType,
    TransactionKind,
    TransactionStatus,
)
from tests.sample_data import SITOO_ORDERS

D = Decimal


@pytest.fixture(scope="module")
def envelope() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SITOO_ORDERS.read_text())
    return data


@pytest.fixture(scope="module")
def result() -> AdapterResult:
    return parse_sitoo_orders(SITOO_ORDERS.read_bytes())


@pytest.fixture(scope="module")
def by_id(result: AdapterResult) -> dict[str, PosTransaction]:
    return {txn.transaction_id: txn for txn in result.transactions}


def _order(envelope: dict[str, Any], order_id: int) -> dict[str, Any]:
    order = next(item for item in envelope["items"] if item["orderid"] == order_id)
    return deepcopy(order)


def test_all_sample_orders_convert_with_consistent_totals(result: AdapterResult) -> None:
    assert result.rejects == [] and result.skipped == []
    assert [txn.transaction_id for txn in result.transactions] == [
        "10501",
        "10502",
        "10503",
        "10504",
    ]
    for txn in result.transactions:
        assert expected_totals(txn) == txn.totals, txn.transaction_id
        assert txn.prices_include_tax and txn.currency == "SEK"
        assert txn.store_id == "SE-STO-01"


def test_a_sale_keeps_its_promotion_and_its_manual_discount_by_cashier(
    by_id: dict[str, PosTransaction],
) -> None:
    sale = by_id["10501"]
    assert (sale.kind, sale.status) == (TransactionKind.SALE, TransactionStatus.COMPLETED)
    assert (sale.terminal_id, sale.cashier_id) == (
        "{3CCB9848-155A-49E1-7CA8-5F7F78FC3067}",
        "EMP-1042",
    )
    assert sale.occurred_at.isoformat() == "2024-05-17T14:32:05+02:00"
    assert sale.business_date == date(2024, 5, 17)
    tee, jeans, socks = sale.lines
    assert (tee.line_number, tee.sku, tee.quantity, tee.unit_price) == (
        88101,
        "TS-100-WHT-M",
        D(2),
        D("199.00"),
    )
    (promotion,) = tee.discounts
    assert (promotion.kind, promotion.code, promotion.amount, promotion.description) == (
        DiscountKind.PROMOTION,
        "SUMMER20",
        D("79.60"),
        "Summer sale 20%",
    )
    (manual,) = jeans.discounts
    assert (manual.kind, manual.amount, manual.cashier_id, manual.reason) == (
        DiscountKind.MANUAL_OVERRIDE,
        D("50.00"),
        "EMP-1042",
        "PRICEMATCH",
    )
    assert (socks.unit_price, socks.discounts) == (D("99.00"), [])
    assert [(tax.code, tax.rate, tax.amount) for tax in tee.taxes] == [
        ("VAT25", D("0.25"), D("63.68"))
    ]
    (card,) = sale.tenders
    assert (card.type, card.amount, card.reference) == (
        TenderType.CARD,
        D("966.40"),
        "T-7731-000412",
    )
    assert tender_total(sale) == sale.totals.gross == D("966.40")


def test_parked_and_cancelled_orders_are_incomplete(by_id: dict[str, PosTransaction]) -> None:
    assert by_id["10502"].status is TransactionStatus.SUSPENDED
    assert by_id["10503"].status is TransactionStatus.VOIDED
    assert not by_id["10502"].tenders and not by_id["10503"].tenders


def test_a_partial_refund_returns_one_line_with_its_share_of_the_discount(
    by_id: dict[str, PosTransaction],
) -> None:
    refund = by_id["10504"]
    assert (refund.kind, refund.status) == (TransactionKind.RETURN, TransactionStatus.COMPLETED)
    (line,) = refund.lines
    assert (line.quantity, line.unit_price) == (D(-1), D("199.00"))
    assert line.return_of is not None
    assert (line.return_of.transaction_id, line.return_of.line_number) == ("10501", 88101)
    assert [(d.code, d.amount) for d in line.discounts] == [("SUMMER20", D("39.80"))]
    assert line.taxes[0].amount == D("-31.84")
    assert refund.totals.gross == tender_total(refund) == D("-159.20")


def test_payload_shapes_and_store_override(envelope: dict[str, Any]) -> None:
    assert len(parse_sitoo_orders(envelope).transactions) == 4
    assert len(parse_sitoo_orders(envelope["items"]).transactions) == 4
    (txn,) = parse_sitoo_orders(_order(envelope, 10501), store_id="STORE-7").transactions
    assert txn.store_id == "STORE-7"
    with pytest.raises(PayloadError, match="not JSON"):
        parse_sitoo_orders(b"orders")


def test_a_float_vat_percentage_is_accepted(envelope: dict[str, Any]) -> None:
    order = _order(envelope, 10503)
    order["orderitems"][0]["vatvalue"] = 25.0
    (txn,) = parse_sitoo_orders(order).transactions
    assert [(tax.code, tax.rate) for tax in txn.lines[0].taxes] == [("VAT25", D("0.25"))]


def test_a_weighed_item_gets_a_decimal_quantity(envelope: dict[str, Any]) -> None:
    order = _order(envelope, 10503)
    order["orderitems"][0].update(
        quantity=1,
        decimalunitquantity="0.350",
        unitlabel="kg",
        moneyitemtotal_net="119.20",
        moneyitemtotal_vat="29.80",
    )
    (txn,) = parse_sitoo_orders(order).transactions
    assert (txn.lines[0].quantity, txn.lines[0].unit, txn.lines[0].unit_price) == (
        D("0.350"),
        "kg",
        D("425.71"),
    )


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            {"item": {"vouchercode": ""}},
            "orderitems.0.moneyrowdiscount",
            "a row discount needs a vouchercode",
        ),
        ({"item": {"moneyitemtotal_vat": 63.68}}, "orderitems.0.moneyitemtotal_vat", "float"),
        ({"item": {"orderitemtype": 20}}, "orderitems.0.orderitemtype", "not supported"),
        (
            {"order": {"moneytotal_gross_roundoff": "0.60", "moneytotal_gross_all": "967.00"}},
            "moneytotal_gross_all",
            "round-off",
        ),
        ({"order": {"registerid": None}}, "registerid", "missing"),
        ({"order": {"orderstateid": 99}}, "orderstateid", "unknown order state"),
        ({"order": {"ordertypeid": 200}}, "ordertypeid", "unknown order type"),
    ],
)
def test_an_order_that_cannot_be_converted_is_rejected(
    envelope: dict[str, Any], change: dict[str, dict[str, Any]], field: str, reason: str
) -> None:
    order = _order(envelope, 10501)
    order.update(change.get("order", {}))
    order["orderitems"][0].update(change.get("item", {}))
    result = parse_sitoo_orders([order])
    assert result.transactions == []
    (rejected,) = result.rejects
    assert rejected.transaction_id == "10501"
    (error,) = rejected.errors
    assert error.field == field
    assert reason in error.reason


def test_model_errors_carry_canonical_field_paths(envelope: dict[str, Any]) -> None:
    order = _order(envelope, 10501)
    del order["additionaldata"]["pos-staff-externalid"]  # a manual discount needs its cashier
    (rejected,) = parse_sitoo_orders(order).rejects
    assert [str(error) for error in rejected.errors] == [
        "lines.1.discounts.0: a manual_override discount needs cashier_id and reason"
    ]
