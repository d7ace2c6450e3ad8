"""Canonical JSON -> PosTransaction, for POS systems that send the canonical model directly.

The payload is one transaction object, a JSON array of them, or JSON lines (one object per
line). Each record is validated by ``PosTransaction.model_validate``; one that fails becomes
a Reject with its position, its ``transaction_id`` when it has one, and ``field: reason``
errors with dotted paths such as ``lines.0.unit_price``. A JSON line that does not parse is
rejected on its own; a document that is neither JSON nor JSON lines raises PayloadError, and
so does one with more records than ``max_records``. A record nested deeper than the model ever
is (``domain.limits.MAX_JSON_DEPTH``) is rejected naming where.
Money must be a JSON string (or an integer): a JSON number with a fraction is refused with the
field's name, because a till that sends one has usually computed it in binary floating point.
"""

import json
from typing import Any

from pydantic import ValidationError

from connectors.pos.base import (
    ROOT_FIELD,
    AdapterResult,
    FieldError,
    Reject,
    raw_excerpt,
    reject,
)
from connectors.pos.errors import ConversionError, PayloadError
from connectors.pos.guards import check_depth, check_record_count, load_json
from domain.transaction import PosTransaction


def parse_canonical(
    payload: bytes | str | dict[str, Any] | list[Any], *, max_records: int | None = None
) -> AdapterResult:
    """Validate every canonical transaction in ``payload``."""
    transactions: list[PosTransaction] = []
    rejects: list[Reject] = []
    records = payload_records(payload)
    check_record_count(records, max_records)
    for index, record in enumerate(records):
        if isinstance(record, BadLine):
            rejects.append(record.reject(index))
            continue
        try:
            check_depth(record)
            transactions.append(PosTransaction.model_validate(record))
        except (ConversionError, ValidationError) as error:
            rejects.append(reject(index, _transaction_id(record), error, raw_record(record)))
    return AdapterResult(transactions=transactions, rejects=rejects)


def raw_record(record: Any) -> str:
    try:
        return json.dumps(record, default=str, ensure_ascii=False)
    except RecursionError:
        return "(nested too deep to show)"


class BadLine:
    """A JSON line that does not parse."""

    def __init__(self, text: str, error: ValueError) -> None:
        self.text = text
        self.error = error

    def reject(self, index: int) -> Reject:
        return Reject(
            source_index=index,
            transaction_id=None,
            errors=[FieldError(field=ROOT_FIELD, reason=f"not JSON: {self.error}")],
            raw=raw_excerpt(self.text),
        )


def payload_records(payload: bytes | str | dict[str, Any] | list[Any]) -> list[Any]:
    if isinstance(payload, dict):
        return [payload]
    if isinstance(payload, list):
        return payload
    try:
        text = payload.decode() if isinstance(payload, bytes) else payload
    except UnicodeDecodeError as error:
        raise PayloadError(f"not UTF-8 text: {error}") from error
    try:
        document = load_json(text)
    except PayloadError:
        raise
    except ValueError as error:
        return _json_lines(text, error)
    return document if isinstance(document, list) else [document]


def _json_lines(text: str, document_error: ValueError) -> list[Any]:
    lines = [line for line in text.splitlines() if line.strip()]
    records: list[Any] = []
    for number, line in enumerate(lines):
        try:
            records.append(load_json(line))
        except ValueError as error:
            if number == 0:
                raise PayloadError(f"neither JSON nor JSON lines: {document_error}") from error
            records.append(BadLine(line, error))
    return records


def _transaction_id(record: Any) -> str | None:
    value = record.get("transaction_id") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None
