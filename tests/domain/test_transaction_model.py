"""Validation names the field and the reason; money never passes through float."""

import json
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from domain.transaction import PosTransaction
from tests.payloads import field_errors, sale_payload

EXAMPLES = Path(__file__).parents[2] / "examples" / "store-day"


def test_money_round_trips_as_strings() -> None:
    payload = sale_payload()
    assert payload["totals"] == {"net": "6.00", "tax": "1.20", "gross": "7.20"}
    assert PosTransaction.model_validate(payload).totals.gross == Decimal("7.20")


def test_float_money_is_refused_naming_the_field() -> None:
    payload = sale_payload()
    payload["lines"][0]["unit_price"] = 3.6
    errors = field_errors(payload)
    assert "not a float" in errors["lines.0.unit_price"]


def test_full_card_number_is_refused() -> None:
    payload = sale_payload()
    payload["tenders"][0]["reference"] = "4242 4242 4242 4242"
    errors = field_errors(payload)
    assert "full card number" in errors["tenders.0.reference"]


def test_long_psp_reference_that_is_not_a_card_number_is_kept() -> None:
    payload = sale_payload()
    payload["tenders"][0]["reference"] = "8815990431372741"  # fails the Luhn check
    assert PosTransaction.model_validate(payload).tenders[0].reference == "8815990431372741"


def test_line_without_sku_or_barcode_is_refused() -> None:
    payload = sale_payload()
    del payload["lines"][0]["sku"]
    assert "sku or a barcode" in field_errors(payload)["lines.0"]


def test_manual_override_needs_cashier_and_reason() -> None:
    payload = sale_payload()
    payload["lines"][0]["discounts"] = [{"kind": "manual_override", "amount": "1.00"}]
    assert "cashier_id and reason" in field_errors(payload)["lines.0.discounts.0"]


def test_sale_with_negative_quantity_is_refused() -> None:
    payload = sale_payload()
    payload["lines"][0]["quantity"] = "-1"
    assert "only positive quantities" in field_errors(payload)[""]


def test_unknown_field_is_refused() -> None:
    payload = sale_payload()
    payload["lines"][0]["colour"] = "red"
    assert field_errors(payload)["lines.0.colour"] == "Extra inputs are not permitted"


def test_every_demo_ticket_but_the_invalid_one_validates() -> None:
    valid, invalid = [], []
    for path in sorted(EXAMPLES.glob("*.json")):
        try:
            PosTransaction.model_validate(json.loads(path.read_text()))
            valid.append(path.name)
        except ValidationError:
            invalid.append(path.name)
    assert invalid == ["11-invalid-float-and-card-number.json"]
    assert len(valid) == 16
