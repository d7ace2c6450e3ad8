"""The bounds a ticket must fit, so that whatever is accepted can be stored, planned and booked.

- Money: the store keeps amounts as ``Numeric(18, 4)`` (``|value| < 10**14``); one amount of a
  ticket stays below ``MAX_MONEY`` so that a ticket's lines (at most ``MAX_LINES``) and a
  store-day's sums still fit, and the order plan's arithmetic stays within Decimal's 28 digits.
- Quantities stay below ``MAX_QUANTITY``; amounts and quantities have at most
  ``MAX_DECIMAL_PLACES`` decimals (the order plan prices to six), tax rates
  ``MAX_RATE_DECIMAL_PLACES``.
- Receipt and line numbers are PostgreSQL integers (``MAX_SEQUENCE_NUMBER``); business dates
  and the till's clock fall between ``EARLIEST_BUSINESS_DATE`` and ``LATEST_BUSINESS_DATE``.
- A ticket books at most ``MAX_ERP_ORDER_LINES`` ERP order lines (its lines, its line
  discounts, and each basket discount once per tax group it is spread over), so that the ERP
  order stays well inside Temporal's 2 MiB payload limit.
- Text from a till: identifiers and codes up to ``MAX_CODE_LENGTH`` characters, descriptions
  and reasons up to ``MAX_TEXT_LENGTH``; no lone surrogate, no control character (text may
  keep tab and line breaks), nothing UTF-8, PostgreSQL or XML cannot carry.
- Payloads: JSON nested at most ``MAX_JSON_DEPTH`` deep, XML ``MAX_XML_DEPTH``.
"""

import re
from datetime import date
from decimal import Decimal

MAX_MONEY = Decimal(10) ** 10
MAX_QUANTITY = Decimal(10) ** 6
MAX_DECIMAL_PLACES = 6
MAX_RATE_DECIMAL_PLACES = 10
MAX_SEQUENCE_NUMBER = 2**31 - 1
EARLIEST_BUSINESS_DATE = date(2000, 1, 1)
LATEST_BUSINESS_DATE = date(2099, 12, 31)

MAX_LINES = 1000
MAX_TAXES_PER_LINE = 4
MAX_TENDERS = 50
MAX_BASKET_DISCOUNTS = 50
MAX_ERP_ORDER_LINES = 1500

MAX_CODE_LENGTH = 64
MAX_WORKFLOW_ID_LENGTH = 200
"""The store's workflow id columns; a ticket's three keys, escaped (domain.ids), fit in it."""
MAX_TEXT_LENGTH = 120

MAX_JSON_DEPTH = 32
MAX_XML_DEPTH = 64

_REFUSED_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_REFUSED_IN_CODES = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def decimal_out_of_bounds(value: Decimal, *, limit: Decimal, places: int) -> str | None:
    """Why ``value`` is not an amount the rules can carry, or None."""
    if not value.is_finite():
        return f"{value} is not a finite number"
    if abs(value) >= limit:
        return f"must be below {limit:,} in absolute value"
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -places and value != value.quantize(Decimal(1).scaleb(-places)):
        return f"has more than {places} decimal places"
    return None


def text_refusal(text: str, *, line_breaks: bool) -> str | None:
    """Why ``text`` cannot be stored and serialised everywhere, or None."""
    found = (_REFUSED_IN_TEXT if line_breaks else _REFUSED_IN_CODES).search(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return f"contains a lone surrogate (U+{code:04X}), which is not text"
    if code in (0xFFFE, 0xFFFF):
        return f"contains the noncharacter U+{code:04X}"
    return f"contains the control character U+{code:04X}"
