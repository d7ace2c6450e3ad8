"""A valid ticket as a till sends it (JSON), for tests that spoil one field of it and read
which field the model refuses, and why."""

from typing import Any

import pytest
from pydantic import ValidationError

from domain.transaction import PosTransaction
from tests.factories import make_sale, sale_line

FieldPath = tuple[str | int, ...]


def sale_payload() -> dict[str, Any]:
    return make_sale("T-1", [sale_line(1, "100001", "2", "3.60")]).model_dump(mode="json")


def set_at(payload: dict[str, Any], path: FieldPath, value: Any) -> None:
    target: Any = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def field_errors(payload: dict[str, Any]) -> dict[str, str]:
    """The model's errors for ``payload`` by dotted field path (it must refuse it)."""
    with pytest.raises(ValidationError) as caught:
        PosTransaction.model_validate(payload)
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in caught.value.errors()}
