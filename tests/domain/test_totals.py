"""Totals a checker expects from a transaction's lines, tenders, and implied unit prices."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.totals import expected_totals, implied_unit_price, tender_total
from domain.transaction import PosTransaction, Totals

D = Decimal


def _txn(lines: list[dict[str, Any]], **fields: Any) -> PosTransaction:
    return PosTransaction.model_validate(
        {
            "transaction_id": "T1",
            "store_id": "S1",
            "terminal_id": "R1",
            "receipt_number": 1,
            "business_date": date(2024, 5, 17),
            "occurred_at": datetime(2024, 5, 17, 12, 0),
            "currency": "USD",
            "prices_include_tax": False,
            "lines": [
                {"line_number": number, "sku": f"SKU{number}", **line}
                for number, line in enumerate(lines, start=1)
            ],
            "totals": {"net": "0", "tax": "0", "gross": "0"},
            **fields,
        }
    )


def _promotion(amount: str) -> dict[str, str]:
    return {"kind": "promotion", "amount": amount, "code": "P1"}


def test_sales_tax_is_added_to_net() -> None:
    txn = _txn(
        [
            # 3 x 1.335 = 4.005 rounds half-up to 4.01
            {
                "quantity": "3",
                "unit_price": "1.335",
                "discounts": [_promotion("0.50")],
                "taxes": [{"code": "1", "rate": "0.1", "amount": "0.30"}],
            },
            # 0.42 lb x 2.99 = 1.2558 rounds to 1.26
            {
                "quantity": "0.42",
                "unit": "lb",
                "unit_price": "2.99",
                "taxes": [{"code": "1", "rate": "0.1", "amount": "0.10"}],
            },
        ],
        discounts=[_promotion("1.00")],
    )
    assert expected_totals(txn) == Totals(net=D("3.77"), tax=D("0.40"), gross=D("4.17"))


def test_vat_is_included_in_gross() -> None:
    txn = _txn(
        [
            {
                "quantity": "2",
                "unit_price": "199.00",
                "discounts": [_promotion("79.60")],
                "taxes": [{"code": "VAT25", "rate": "0.25", "amount": "63.68"}],
            },
            {
                "quantity": "1",
                "unit_price": "99.00",
                "taxes": [{"code": "VAT25", "rate": "0.25", "amount": "19.80"}],
            },
        ],
        prices_include_tax=True,
        currency="SEK",
    )
    assert expected_totals(txn) == Totals(net=D("333.92"), tax=D("83.48"), gross=D("417.40"))


def test_a_return_gives_line_discounts_back_and_keeps_the_basket_discount() -> None:
    txn = _txn(
        [{"quantity": "-1", "unit_price": "100.00", "discounts": [_promotion("10.00")]}],
        kind="return",
        discounts=[_promotion("5.00")],
        prices_include_tax=True,
    )
    # refund: 100.00 less its 10.00 line discount, less the 5.00 basket discount
    assert expected_totals(txn).gross == D("-85.00")


def test_an_exchange_nets_sold_and_returned_lines() -> None:
    txn = _txn(
        [
            {"quantity": "1", "unit_price": "50.00"},
            {"quantity": "-1", "unit_price": "30.00"},
        ],
        kind="exchange",
    )
    assert expected_totals(txn) == Totals(net=D("20.00"), tax=D("0"), gross=D("20.00"))


def test_tender_total_is_net_of_change() -> None:
    txn = _txn(
        [{"quantity": "1", "unit_price": "22.38"}],
        tenders=[
            {"type": "cash", "amount": "20.00", "change": "2.62"},
            {"type": "card", "amount": "5.00"},
        ],
    )
    assert tender_total(txn) == D("22.38")


@pytest.mark.parametrize(
    ("amount", "quantity", "currency", "price"),
    [
        ("3.00", "1", "USD", "3.00"),
        ("16.25", "13", "USD", "1.25"),
        ("6.48", "0.56", "USD", "11.57"),
        ("5.69", "12", "USD", "0.474"),
        ("-199.00", "-1", "SEK", "199.00"),
        ("0.00", "4", "USD", "0.00"),
        ("1000", "3", "JPY", "333.3"),
    ],
)
def test_implied_unit_price_reproduces_the_amount(
    amount: str, quantity: str, currency: str, price: str
) -> None:
    assert implied_unit_price(D(amount), D(quantity), currency) == D(price)


def test_implied_unit_price_refuses_impossible_lines() -> None:
    with pytest.raises(ValueError, match="opposite signs"):
        implied_unit_price(D("-2.00"), D("1"), "USD")
    with pytest.raises(ValueError, match="zero"):
        implied_unit_price(D("2.00"), D("0"), "USD")
