"""The canonical JSON adapter: one object, a list or JSON lines; errors name their field."""

import json
from copy import deepcopy
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.pos.base import FieldError, format_errors
from connectors.pos.canonical import parse_canonical
from connectors.pos.errors import PayloadError
from domain.transaction import PosTransaction

SALE: dict[str, Any] = {
    "transaction_id": "R1-000123",
    "store_id": "LON-01",
    "terminal_id": "R1",
    "receipt_number": 123,
    "business_date": "2024-05-17",
    "occurred_at": "2024-05-17T14:32:05+01:00",
    "cashier_id": "C7",
    "currency": "GBP",
    "prices_include_tax": True,
    "lines": [
        {
            "line_number": 1,
            "sku": "TEA-100",
            "quantity": "2",
            "unit_price": "3.50",
            "taxes": [{"code": "VAT20", "rate": "0.20", "amount": "1.17"}],
        }
    ],
    "tenders": [{"type": "cash", "amount": "10.00", "change": "3.00"}],
    "totals": {"net": "5.83", "tax": "1.17", "gross": "7.00"},
}


def _sale(transaction_id: str, **changes: Any) -> dict[str, Any]:
    record = deepcopy(SALE)
    record.update(transaction_id=transaction_id, **changes)
    return record


def test_a_single_json_object_becomes_one_transaction() -> None:
    result = parse_canonical(SALE)
    assert result.rejects == []
    (txn,) = result.transactions
    assert txn.transaction_id == "R1-000123"
    assert txn.lines[0].unit_price == Decimal("3.50")


def test_an_invalid_transaction_in_a_list_is_rejected_alone_naming_its_field() -> None:
    bad = _sale("R1-000124")
    bad["lines"][0]["unit_price"] = 3.5
    result = parse_canonical([SALE, bad])
    assert [txn.transaction_id for txn in result.transactions] == ["R1-000123"]
    (rejected,) = result.rejects
    assert (rejected.source_index, rejected.transaction_id) == (1, "R1-000124")
    assert rejected.errors == [
        FieldError(
            field="lines.0.unit_price",
            reason="must be a decimal string or an integer, not a float (floats lose pennies)",
        )
    ]
    assert '"transaction_id": "R1-000124"' in rejected.raw


def test_json_text_with_a_fractional_number_for_money_is_rejected() -> None:
    text = json.dumps(SALE).replace('"3.50"', "3.50")
    result = parse_canonical(text)
    assert result.transactions == []
    (rejected,) = result.rejects
    assert [error.field for error in rejected.errors] == ["lines.0.unit_price"]


def test_a_broken_json_line_is_rejected_and_the_other_lines_convert() -> None:
    lines = [json.dumps(SALE), "{not json", json.dumps(_sale("R1-000125"))]
    result = parse_canonical("\n".join(lines).encode())
    assert [txn.transaction_id for txn in result.transactions] == ["R1-000123", "R1-000125"]
    (rejected,) = result.rejects
    assert (rejected.source_index, rejected.transaction_id, rejected.raw) == (1, None, "{not json")
    assert rejected.errors[0].reason.startswith("not JSON")


def test_errors_name_every_field_at_fault() -> None:
    bad = _sale("R1-000126", currency="pounds", lines=[])
    del bad["receipt_number"]
    (rejected,) = parse_canonical(bad).rejects
    assert {error.field for error in rejected.errors} == {"receipt_number", "currency", "lines"}


def test_a_transaction_level_rule_is_reported_on_the_root() -> None:
    (rejected,) = parse_canonical(_sale("R1-000127", kind="return")).rejects
    assert [str(error) for error in rejected.errors] == [
        "<root>: a return has only negative quantities"
    ]


def test_a_record_that_is_not_an_object() -> None:
    (rejected,) = parse_canonical([42]).rejects
    assert (rejected.transaction_id, rejected.errors[0].field) == (None, "<root>")


def test_format_errors_renders_field_and_reason() -> None:
    bad = _sale("R1-000128")
    bad["tenders"][0]["reference"] = "4111 1111 1111 1111"
    with pytest.raises(ValidationError) as caught:
        PosTransaction.model_validate(bad)
    assert format_errors(caught.value) == [
        "tenders.0.reference: looks like a full card number; send a masked one"
    ]


def test_a_document_that_is_not_json() -> None:
    with pytest.raises(PayloadError, match="neither JSON nor JSON lines"):
        parse_canonical("<POSLog/>")
    with pytest.raises(PayloadError, match="UTF-8"):
        parse_canonical(b"\xff\xfe")
