"""Malformed payloads (pure): a valid ticket with one field broken, and the field the ingest
must name when it refuses it."""

import copy
import random
from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]


def _set(path: list[str | int], value: Any) -> Callable[[Payload], None]:
    def breaks(payload: Payload) -> None:
        target: Any = payload
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return breaks


def _drop(key: str) -> Callable[[Payload], None]:
    def breaks(payload: Payload) -> None:
        del payload[key]

    return breaks


BREAKAGES: list[tuple[str, Callable[[Payload], None]]] = [
    ("currency", _set(["currency"], "pounds")),
    ("lines.0.quantity", _set(["lines", 0, "quantity"], 1.5)),
    ("lines.0.unit_price", _set(["lines", 0, "unit_price"], "nine pounds")),
    ("tenders.0.reference", _set(["tenders", 0, "reference"], "4111111111111111")),
    ("transaction_id", _drop("transaction_id")),
    ("business_date", _set(["business_date"], "yesterday")),
    ("kind", _set(["kind"], "gift")),
    ("receipt_number", _set(["receipt_number"], -5)),
    ("lines", _set(["lines"], [])),
    ("occurred_at", _set(["occurred_at"], "just now")),
]
"""(the field the refusal must name, what breaks it)"""


def malformed(valid: list[Payload], count: int, seed: int) -> list[tuple[Payload, str]]:
    """``count`` broken copies of sales among ``valid`` (each under a transaction id of its
    own, so a run it wrongly started would be found), with the field each must be refused
    for."""
    rng = random.Random(seed)
    sales = [p for p in valid if p["kind"] == "sale" and p["tenders"]]
    result = []
    for number in range(count):
        payload = copy.deepcopy(rng.choice(sales))
        payload["transaction_id"] = f"BAD{number:06d}"
        field, breaks = BREAKAGES[number % len(BREAKAGES)]
        breaks(payload)
        result.append((payload, field))
    return result


def names_field(errors: list[dict[str, Any]], field: str) -> bool:
    """Whether the refusal's errors name ``field`` (or a field within it)."""
    return any(
        str(error.get("field", "")) == field or str(error.get("field", "")).startswith(field + ".")
        for error in errors
    )
