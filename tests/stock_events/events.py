"""Stock events as tills send them, for the transfer and purchase-receipt tests (the demo's
mappings: S001 -> WH-LON, S002 -> WH-LDS; SKU 100001 -> TEA-001, 100002 -> MUG-001, 100003 ->
BISC-001)."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.stock_events import PurchaseReceipt, TransferDispatch, TransferReceipt

DAY = date(2026, 11, 20)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _lines(quantities: dict[str, int | Decimal]) -> list[dict[str, Any]]:
    """A code of 13 digits is the line's barcode, any other its SKU."""
    return [
        {
            "line_number": number,
            "barcode" if len(code) == 13 and code.isdigit() else "sku": code,
            "quantity": str(quantity),
        }
        for number, (code, quantity) in enumerate(quantities.items(), start=1)
    ]


def _common(store_id: str, event_id: str, quantities: dict[str, int | Decimal]) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "store_id": store_id,
        "terminal_id": "T1",
        "business_date": DAY.isoformat(),
        "occurred_at": datetime(2026, 11, 20, 9, 30, tzinfo=UTC).isoformat(),
        "lines": _lines(quantities),
    }


def dispatch(
    transfer_id: str, quantities: dict[str, int | Decimal], *, event_id: str | None = None
) -> TransferDispatch:
    return TransferDispatch.model_validate(
        {
            "type": "transfer_dispatch",
            "transfer_id": transfer_id,
            "to_store_id": "S002",
            **_common("S001", event_id or unique("D"), quantities),
        }
    )


def receipt(transfer_id: str, quantities: dict[str, int | Decimal]) -> TransferReceipt:
    return TransferReceipt.model_validate(
        {
            "type": "transfer_receipt",
            "transfer_id": transfer_id,
            "from_store_id": "S001",
            **_common("S002", unique("R"), quantities),
        }
    )


def purchase_receipt(
    purchase_order: str, quantities: dict[str, int | Decimal], *, store_id: str = "S001"
) -> PurchaseReceipt:
    return PurchaseReceipt.model_validate(
        {
            "type": "purchase_receipt",
            "purchase_order": purchase_order,
            **_common(store_id, unique("P"), quantities),
        }
    )
