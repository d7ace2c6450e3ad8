"""Money is Decimal end to end; it is rounded only at a boundary, to the currency's minor unit."""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_MINOR_UNIT_EXPONENTS: dict[str, int] = {"JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3}


def minor_unit(currency: str) -> Decimal:
    """The smallest amount the currency can express (0.01 for GBP, 1 for JPY)."""
    return Decimal(1).scaleb(-_MINOR_UNIT_EXPONENTS.get(currency.upper(), 2))


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def _reject_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError(
            "must be a decimal string or an integer, not a float (floats lose pennies)"
        )
    if isinstance(value, bool):
        raise ValueError("must be a decimal string, not a boolean")
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except ArithmeticError:
            raise ValueError(f"{value!r} is not a decimal number") from None
        if not parsed.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return parsed
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_reject_float),
    PlainSerializer(lambda value: str(value), return_type=str, when_used="json"),
]
"""Decimal that accepts JSON strings or integers, refuses floats, serialises as a string."""


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``total`` split over ``weights`` in proportion, each share rounded to the currency's
    minor unit. The shares add up to ``total``: what rounding leaves goes to the largest weight
    (in absolute value; the first of equals), where it is the smallest part of its share."""
    weight_total = sum(weights, Decimal(0))
    if not weight_total:
        if total:
            raise ValueError(f"cannot allocate {total} over weights that add up to nothing")
        return [Decimal(0)] * len(weights)
    shares = [round_money(total * weight / weight_total, currency) for weight in weights]
    largest = max(range(len(weights)), key=lambda index: abs(weights[index]))
    shares[largest] += total - sum(shares, Decimal(0))
    return shares
