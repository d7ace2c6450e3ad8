"""The field types of the canonical transaction: bounded money and quantities, and text from a
till that is storable, serialisable and free of card numbers (bounds in ``domain.limits``)."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from domain.card_numbers import contains_card_number
from domain.ids import length_in_an_id
from domain.limits import (
    EARLIEST_BUSINESS_DATE,
    LATEST_BUSINESS_DATE,
    MAX_CODE_LENGTH,
    MAX_DECIMAL_PLACES,
    MAX_MONEY,
    MAX_QUANTITY,
    MAX_RATE_DECIMAL_PLACES,
    MAX_SEQUENCE_NUMBER,
    MAX_TEXT_LENGTH,
    decimal_out_of_bounds,
    text_refusal,
)
from domain.money import Amount

CARD_NUMBER_REFUSAL = "looks like a full card number; send a masked one"
TEXTS_CHECKED_KEPT = 8192
"""Per kind of text; each at most MAX_TEXT_LENGTH characters."""


def _bounded(limit: Decimal, places: int) -> Callable[[Decimal], Decimal]:
    def check(value: Decimal) -> Decimal:
        reason = decimal_out_of_bounds(value, limit=limit, places=places)
        if reason:
            raise ValueError(reason)
        return value

    return check


def _clean_text(*, line_breaks: bool, product_code: bool = False) -> Callable[[str], str]:
    # Cached: a ticket's codes and texts are validated again each time a step decodes it.
    @lru_cache(maxsize=TEXTS_CHECKED_KEPT)
    def check(text: str) -> str:
        reason = text_refusal(text, line_breaks=line_breaks)
        if reason:
            raise ValueError(reason)
        if contains_card_number(text, product_code=product_code):
            raise ValueError(CARD_NUMBER_REFUSAL)
        return text

    return check


def _within_dates(day: date) -> date:
    if not EARLIEST_BUSINESS_DATE <= day <= LATEST_BUSINESS_DATE:
        raise ValueError(f"must fall between {EARLIEST_BUSINESS_DATE} and {LATEST_BUSINESS_DATE}")
    return day


def _clock_within_dates(moment: datetime) -> datetime:
    _within_dates(moment.date())
    return moment


BusinessDate = Annotated[date, AfterValidator(_within_dates)]
TillClock = Annotated[datetime, AfterValidator(_clock_within_dates)]
Money = Annotated[Amount, AfterValidator(_bounded(MAX_MONEY, MAX_DECIMAL_PLACES))]
Quantity = Annotated[Amount, AfterValidator(_bounded(MAX_QUANTITY, MAX_DECIMAL_PLACES))]
Rate = Annotated[
    Amount,
    Field(ge=0, le=1, description="0.20 for 20%"),
    AfterValidator(_bounded(Decimal(2), MAX_RATE_DECIMAL_PLACES)),
]
SequenceNumber = Annotated[int, Field(ge=0, le=MAX_SEQUENCE_NUMBER)]
LineNumber = Annotated[int, Field(ge=1, le=MAX_SEQUENCE_NUMBER)]

PlainKey = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CODE_LENGTH),
    AfterValidator(lambda text: _refuse(text_refusal(text, line_breaks=False), text)),
]
"""An identifier from a till or a catalogue (not scanned for card numbers)."""


def _fits_a_workflow_id(key: str) -> str:
    length = length_in_an_id(key)
    if length > MAX_CODE_LENGTH:
        raise ValueError(
            f"takes {length} characters in a workflow id (each %, : and ~ counts three);"
            f" at most {MAX_CODE_LENGTH}"
        )
    return key


Key = Annotated[PlainKey, AfterValidator(_fits_a_workflow_id)]
"""Store, terminal and transaction ids: the keys of a ticket, which its workflow id is made of
(domain.ids), so that it fits the store's columns whatever the characters."""

Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CODE_LENGTH),
    AfterValidator(_clean_text(line_breaks=False)),
]
"""A short code or id from the till: cashier, customer, tax or promotion code, reference."""

ProductCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CODE_LENGTH),
    AfterValidator(_clean_text(line_breaks=False, product_code=True)),
]
"""A SKU or barcode: a GTIN with a valid check digit is a barcode, not a card number."""

Text = Annotated[
    str,
    StringConstraints(max_length=MAX_TEXT_LENGTH),
    AfterValidator(_clean_text(line_breaks=True)),
]
"""Free text: a description, a reason."""


def _refuse(reason: str | None, text: str) -> str:
    if reason:
        raise ValueError(reason)
    return text
