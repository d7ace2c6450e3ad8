"""What the model accepts can be stored, planned and booked: every bound is a field error."""

from decimal import Decimal
from typing import Any

import pytest

from domain.erp_order import ErpOrder
from domain.limits import (
    MAX_CODE_LENGTH,
    MAX_ERP_ORDER_LINES,
    MAX_LINES,
    MAX_TAXES_PER_LINE,
    MAX_TEXT_LENGTH,
    MAX_WORKFLOW_ID_LENGTH,
)
from domain.mapping import LineMapping, TransactionMapping
from domain.order_plan import plan_erp_order
from domain.transaction import PosTransaction
from tests.payloads import field_errors, sale_payload, set_at

TEMPORAL_PAYLOAD_LIMIT = 2 * 1024 * 1024
HEADROOM = TEMPORAL_PAYLOAD_LIMIT * 3 // 4


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("lines", 0, "unit_price"), "1e30", "below"),
        (("lines", 0, "unit_price"), "3.6000001", "decimal places"),
        (("lines", 0, "quantity"), "1E+999999", "below"),
        (("lines", 0, "quantity"), "1E-999999", "decimal places"),
        (("totals", "gross"), "100000000000000", "below"),
        (("tenders", 0, "amount"), "-1e28", "below"),
        (("lines", 0, "taxes", 0, "amount"), "sNaN", "finite"),
        (("lines", 0, "taxes", 0, "rate"), "0.20000000000000000001", "decimal places"),
        (("receipt_number",), 2**31, "less than or equal"),
        (("lines", 0, "line_number"), 2**31, "less than or equal"),
    ],
)
def test_numbers_beyond_the_bounds_are_field_errors(
    path: tuple[str | int, ...], value: Any, reason: str
) -> None:
    payload = sale_payload()
    set_at(payload, path, value)

    errors = field_errors(payload)

    assert reason in errors[".".join(str(part) for part in path)]


def test_a_line_whose_amount_overflows_is_refused() -> None:
    payload = sale_payload()
    payload["lines"][0] |= {"quantity": "999999", "unit_price": "9999999999"}

    assert "quantity x unit_price" in field_errors(payload)["lines.0"]


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("lines", 0, "description"), "Tea \ud800", "unicode string"),
        (("lines", 0, "description"), "Tea\x00", "control character"),
        (("lines", 0, "description"), "x" * (MAX_TEXT_LENGTH + 1), "at most"),
        (("lines", 0, "sku"), "100\x1b001", "control character"),
        (("lines", 0, "sku"), "9" * (MAX_CODE_LENGTH + 1), "at most"),
        (("cashier_id",), "C\n7", "control character"),
        (("transaction_id",), "T-\ufffe", "noncharacter"),
    ],
)
def test_text_that_cannot_be_stored_or_serialised_is_refused(
    path: tuple[str | int, ...], value: str, reason: str
) -> None:
    payload = sale_payload()
    set_at(payload, path, value)

    assert reason in field_errors(payload)[".".join(str(part) for part in path)]


def test_a_description_keeps_tabs_and_line_breaks() -> None:
    payload = sale_payload()
    payload["lines"][0]["description"] = "Tea\tEarl Grey\r\n250 g"

    assert PosTransaction.model_validate(payload).lines[0].description == "Tea\tEarl Grey\r\n250 g"


def _many_lines(count: int, taxes_per_line: int = 1) -> dict[str, Any]:
    payload = sale_payload()
    line = payload["lines"][0]
    payload["lines"] = [
        line
        | {
            "line_number": number,
            "taxes": [
                {"code": f"T{tax}", "rate": "0", "amount": "0"} for tax in range(taxes_per_line)
            ],
        }
        for number in range(1, count + 1)
    ]
    return payload


def test_a_ticket_has_a_bounded_number_of_lines_taxes_and_erp_lines() -> None:
    assert "at most" in field_errors(_many_lines(MAX_LINES + 1))["lines"]
    assert "at most" in field_errors(_many_lines(1, MAX_TAXES_PER_LINE + 1))["lines.0.taxes"]
    spread = _many_lines(40)
    for number, line in enumerate(spread["lines"]):
        line["taxes"] = [{"code": f"T{number}", "rate": "0", "amount": "0"}]
    spread["discounts"] = [{"kind": "loyalty", "amount": "0.01"}] * 40
    assert f"at most {MAX_ERP_ORDER_LINES}" in field_errors(spread)[""]


def _largest_ticket() -> PosTransaction:
    text, code = "d" * MAX_TEXT_LENGTH, "c" * MAX_CODE_LENGTH
    discount = {
        "kind": "manual_override",
        "amount": "0.01",
        "code": code,
        "cashier_id": code,
        "reason": text,
        "description": text,
    }
    per_line_discounts = (MAX_ERP_ORDER_LINES - MAX_LINES) // MAX_LINES or 1
    lines = [
        {
            "line_number": number,
            "sku": f"{number:0{MAX_CODE_LENGTH}d}",
            "barcode": code,
            "description": text,
            "quantity": "1",
            "unit": code,
            "unit_price": "9999.999999",
            "taxes": [
                {"code": f"{tax}{code}"[:MAX_CODE_LENGTH], "rate": "0.1234567891", "amount": "0"}
                for tax in range(MAX_TAXES_PER_LINE)
            ],
            "discounts": [discount] * per_line_discounts if number % 2 else [],
        }
        for number in range(1, MAX_LINES + 1)
    ]
    payload = sale_payload() | {"lines": lines, "cashier_id": code}
    payload["tenders"] = [{"type": "card", "amount": "1", "reference": code}] * 50
    return PosTransaction.model_validate(payload)


def test_the_largest_accepted_ticket_plans_an_erp_order_under_temporals_payload_limit() -> None:
    txn = _largest_ticket()
    mapping = TransactionMapping(
        warehouse_code="W" * MAX_CODE_LENGTH,
        lines=[
            LineMapping(line_number=line.line_number, product_code="P" * MAX_CODE_LENGTH)
            for line in txn.lines
        ],
    )

    order: ErpOrder = plan_erp_order(txn, mapping, "pos-" + "x" * 200)

    assert len(txn.model_dump_json()) < HEADROOM
    assert len(order.model_dump_json()) < HEADROOM
    assert order.lines_net_total > Decimal(0)


@pytest.mark.parametrize("key", ["store_id", "terminal_id", "transaction_id"])
def test_a_key_that_would_overflow_the_workflow_id_is_a_field_error(key: str) -> None:
    """Escaped, each ``:`` takes three characters of the workflow id, which the store keeps in
    a column of its own size: 22 of them are 66 characters, one key's share is 64."""
    payload = sale_payload() | {key: ":" * 22}

    assert "takes 66 characters in a workflow id" in field_errors(payload)[key]


def test_the_longest_keys_accepted_make_a_workflow_id_the_store_keeps() -> None:
    longest = ":" * (MAX_CODE_LENGTH // 3) + "x" * (MAX_CODE_LENGTH % 3)
    txn = PosTransaction.model_validate(
        sale_payload() | {"store_id": longest, "terminal_id": longest, "transaction_id": longest}
    )

    assert len(txn.workflow_id) <= MAX_WORKFLOW_ID_LENGTH
