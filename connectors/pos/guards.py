"""Guards every adapter applies before trusting a payload's shape: how deep it nests
(``domain.limits.MAX_JSON_DEPTH``) and how many records it carries."""

import json
from collections.abc import Callable, Sized
from typing import Any

from connectors.pos.errors import ConversionError, PayloadError
from domain.limits import MAX_JSON_DEPTH


class TooManyRecords(PayloadError):
    """The payload carries more records than one request or file may."""


def load_json(text: str | bytes, *, parse_float: Callable[[str], Any] | None = None) -> Any:
    """``json.loads``, with nesting too deep for the parser reported as a PayloadError."""
    try:
        return json.loads(text, parse_float=parse_float)
    except RecursionError:
        raise PayloadError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None


def check_depth(record: Any, path: str = "") -> None:
    """Raise ConversionError naming the first value nested deeper than ``MAX_JSON_DEPTH``."""
    pending: list[tuple[Any, str, int]] = [(record, path, 0)]
    while pending:
        value, where, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise ConversionError(where or "<root>", f"nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(value, dict):
            pending += [
                (child, f"{where}.{key}" if where else str(key), depth + 1)
                for key, child in value.items()
            ]
        elif isinstance(value, list):
            pending += [
                (child, f"{where}.{index}" if where else str(index), depth + 1)
                for index, child in enumerate(value)
            ]


def check_record_count(records: Sized, max_records: int | None) -> None:
    """Raise TooManyRecords when a request may carry at most ``max_records`` (files need not)."""
    if max_records is not None and len(records) > max_records:
        raise TooManyRecords(f"the payload holds {len(records)} records; at most {max_records}")
