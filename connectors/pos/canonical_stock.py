"""Canonical JSON -> stock events (transfer dispatches and receipts, purchase receipts).

The payload is read like canonical transactions (one object, an array, or JSON lines); each
record's ``type`` says which event it is. A record that fails validation becomes a Reject
with its position, its ``event_id`` when it has one, and ``field: reason`` errors.
"""

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from connectors.pos.base import Reject, reject
from connectors.pos.canonical import BadLine, payload_records, raw_record
from connectors.pos.errors import ConversionError
from connectors.pos.guards import check_depth, check_record_count
from domain.stock_events import STOCK_EVENT_ADAPTER, AnyStockEvent


@dataclass
class StockEventsResult:
    events: list[tuple[int, AnyStockEvent]] = field(default_factory=list)
    """Each valid event with its position in the payload."""
    rejects: list[Reject] = field(default_factory=list)


def parse_stock_events(
    payload: bytes | str | dict[str, Any] | list[Any], *, max_records: int | None = None
) -> StockEventsResult:
    """Validate every canonical stock event in ``payload``."""
    result = StockEventsResult()
    records = payload_records(payload)
    check_record_count(records, max_records)
    for index, record in enumerate(records):
        if isinstance(record, BadLine):
            result.rejects.append(record.reject(index))
            continue
        try:
            check_depth(record)
            result.events.append((index, STOCK_EVENT_ADAPTER.validate_python(record)))
        except (ConversionError, ValidationError) as error:
            result.rejects.append(reject(index, _event_id(record), error, raw_record(record)))
    return result


def _event_id(record: Any) -> str | None:
    value = record.get("event_id") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None
