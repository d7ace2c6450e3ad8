"""A JSON object read field by field, each value checked and bounded, each error naming its
dotted path (``orderitems.0.moneyitemtotal_net``)."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.pos.errors import ConversionError
from domain.limits import MAX_DECIMAL_PLACES, MAX_MONEY, MAX_SEQUENCE_NUMBER, decimal_out_of_bounds


class JsonRecord:
    """A JSON object and its dotted path, for error messages."""

    def __init__(self, data: Any, path: str, *, name: str = "record") -> None:
        if not isinstance(data, Mapping):
            raise ConversionError(path or name, "expected an object")
        self.data: Mapping[str, Any] = data
        self.path = path

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ConversionError(self.where(key), f"expected text, got {type(value).__name__}")
        return str(value)

    def text(self, key: str) -> str:
        value = self.optional_text(key)
        if value is None:
            raise ConversionError(self.where(key), "missing")
        return value

    def integer(
        self, key: str, *, low: int = -MAX_SEQUENCE_NUMBER, high: int = MAX_SEQUENCE_NUMBER
    ) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConversionError(
                self.where(key), f"expected a whole number, got {type(value).__name__}"
            )
        if not low <= value <= high:
            raise ConversionError(self.where(key), f"must be between {low} and {high}")
        return value

    def decimal(
        self,
        key: str,
        *,
        default: str | None = None,
        allow_float: bool = False,
        places: int = MAX_DECIMAL_PLACES,
    ) -> Decimal:
        """A money or decimal string; a JSON number too, unless it is a float (money) and
        ``allow_float`` is off (a percentage such as vatvalue is a number in Sitoo's API).
        Bounded like the canonical model's money (``domain.limits``)."""
        value = self.data.get(key)
        if value is None or value == "":
            if default is None:
                raise ConversionError(self.where(key), "missing")
            value = default
        floats = allow_float and isinstance(value, float)
        if not floats and (
            isinstance(value, bool | float) or not isinstance(value, str | int | Decimal)
        ):
            raise ConversionError(
                self.where(key), f"expected a decimal string, got {type(value).__name__} {value!r}"
            )
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ConversionError(self.where(key), f"{value!r} is not a decimal number") from None
        reason = decimal_out_of_bounds(number, limit=MAX_MONEY, places=places)
        if reason:
            raise ConversionError(self.where(key), reason)
        return number

    def child(self, key: str) -> "JsonRecord":
        return JsonRecord(self.data.get(key) or {}, self.where(key))

    def children(self, key: str) -> list["JsonRecord"]:
        values = self.data.get(key) or []
        if not isinstance(values, list):
            raise ConversionError(self.where(key), "expected a list")
        return [
            JsonRecord(value, f"{self.where(key)}.{index}") for index, value in enumerate(values)
        ]
