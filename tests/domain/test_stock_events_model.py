"""The canonical stock events: bounded like a ticket, each type told by ``type``, ids that
dedupe a transfer once per store whatever event ids the tills give."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.stock_events import (
    STOCK_EVENT_ADAPTER,
    PurchaseReceipt,
    TransferDispatch,
    TransferReceipt,
)


def dispatch_payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "transfer_dispatch",
        "event_id": "D-1",
        "transfer_id": "TR-1",
        "store_id": "S001",
        "to_store_id": "S002",
        "terminal_id": "T1",
        "business_date": "2026-11-20",
        "occurred_at": "2026-11-20T09:30:00+00:00",
        "lines": [{"line_number": 1, "sku": "100001", "quantity": "10"}],
    }
    payload.update(changes)
    return payload


def errors_of(payload: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        STOCK_EVENT_ADAPTER.validate_python(payload)
    return [".".join(str(part) for part in error["loc"]) for error in caught.value.errors()]


def receipt_payload(**changes: Any) -> dict[str, Any]:
    payload = {k: v for k, v in dispatch_payload().items() if k != "to_store_id"}
    payload.update(type="transfer_receipt", store_id="S002", from_store_id="S001")
    payload.update(changes)
    return payload


def test_the_type_picks_the_model() -> None:
    event = STOCK_EVENT_ADAPTER.validate_python(dispatch_payload())
    receipt = STOCK_EVENT_ADAPTER.validate_python(receipt_payload())
    purchase_payload = {
        k: v for k, v in dispatch_payload().items() if k not in ("to_store_id", "transfer_id")
    }
    purchase = STOCK_EVENT_ADAPTER.validate_python(
        purchase_payload | {"type": "purchase_receipt", "purchase_order": "PO-7"}
    )

    assert isinstance(event, TransferDispatch)
    assert isinstance(receipt, TransferReceipt)
    assert isinstance(purchase, PurchaseReceipt)
    assert event.transfer_reference == receipt.transfer_reference == "transfer:S001:TR-1"


def test_a_transfer_is_deduped_by_its_id_not_the_tills_event_id() -> None:
    first = TransferDispatch.model_validate(dispatch_payload())
    again = TransferDispatch.model_validate(dispatch_payload(event_id="D-2"))

    assert first.workflow_id == again.workflow_id == "transfer_dispatch:S001:TR-1"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": [{"line_number": 1, "sku": "100001", "quantity": "-1"}]}, "lines.0.quantity"),
        (
            {"lines": [{"line_number": 1, "sku": "100001", "quantity": "1000000"}]},
            "lines.0.quantity",
        ),
        (
            {"lines": [{"line_number": 1, "sku": "100001", "quantity": "1.0000001"}]},
            "lines.0.quantity",
        ),
        ({"lines": [{"line_number": 1, "quantity": "1"}]}, "lines.0"),
        ({"lines": []}, "lines"),
        ({"event_id": "x" * 65}, "event_id"),
        ({"to_store_id": "S001"}, ""),
        ({"business_date": "1999-12-31"}, "business_date"),
        ({"cashier_id": "4111 1111 1111 1111"}, "cashier_id"),
        ({"unexpected": "field"}, "unexpected"),
        (
            {"lines": [{"line_number": 1, "sku": "100001", "quantity": "0"}]},
            "",
        ),
    ],
)
def test_every_field_is_bounded(changes: dict[str, Any], field: str) -> None:
    [where] = errors_of(dispatch_payload(**changes))
    assert where.removeprefix("transfer_dispatch").lstrip(".") == field


def test_lines_must_be_unique() -> None:
    line = {"line_number": 1, "sku": "100001", "quantity": "1"}
    assert errors_of(dispatch_payload(lines=[line, line])) == ["transfer_dispatch"]


def test_a_receipt_may_count_zero_of_a_line() -> None:
    receipt = TransferReceipt.model_validate(
        receipt_payload(lines=[{"line_number": 1, "sku": "100001", "quantity": "0"}])
    )
    assert receipt.lines[0].quantity == Decimal(0)
