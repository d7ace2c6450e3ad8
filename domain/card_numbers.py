"""Full card numbers (PANs) in free text: found whatever the separators, and redacted.

A PAN is 13 to 19 digits passing the Luhn check (PCI DSS), not starting with 0 (ISO/IEC 7812
assigns no card issuer to major industry identifier 0). Tills write one with any separators
(``4111 1111 1111 1111``, ``4111.1111.1111.1111``, ``4111/…``, ``4111_…``), after a date or
followed by an expiry, so the text is read as runs of digits joined by short separators (up
to ``MAX_SEPARATOR_CHARS`` spaces, dashes, dots, slashes or underscores); anything else (a
letter, a colon, a plus) ends a number, so a clock such as ``13:41:04.076192+00:00`` is not
one. Any decimal digit Unicode knows counts (a fullwidth four is 4). A run of
digits longer than 19 is an identifier, not a PAN. In a product code (SKU, barcode) a 13 or
14 digit GTIN with a valid check digit is a barcode, not a PAN.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

MIN_PAN_DIGITS = 13
MAX_PAN_DIGITS = 19
MAX_SEPARATOR_CHARS = 3
REDACTED = "[redacted card number]"
_GTIN_LENGTHS = (13, 14)
_DIGITS = re.compile(r"\d+")
_SEPARATORS = frozenset("-./_")
_CANDIDATE = re.compile(rf"(?:\d\D{{0,{MAX_SEPARATOR_CHARS}}}){{{MIN_PAN_DIGITS - 1}}}\d")


@dataclass(frozen=True)
class _DigitRun:
    start: int
    end: int
    digits: str
    joined_to_previous: bool


def contains_card_number(text: str, *, product_code: bool = False) -> bool:
    """Whether ``text`` holds a full card number (see the module's rules)."""
    return next(_card_number_spans(text, product_code=product_code), None) is not None


def redact_card_numbers(text: str) -> str:
    """``text`` with every full card number (and its inner separators) replaced by REDACTED."""
    pieces: list[str] = []
    kept_from = 0
    for start, end in _card_number_spans(text, product_code=False):
        pieces += [text[kept_from:start], REDACTED]
        kept_from = end
    if not pieces:
        return text
    pieces.append(text[kept_from:])
    return "".join(pieces)


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def gtin_valid(digits: str) -> bool:
    """The GS1 check digit: weights 3 and 1 from the right, before the check digit."""
    body, check = digits[:-1], int(digits[-1])
    weighted = sum(
        int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body))
    )
    return (10 - weighted % 10) % 10 == check


def _is_card_number(digits: str, *, product_code: bool) -> bool:
    if digits[0] == "0" or not luhn_valid(digits):
        return False
    return not (product_code and len(digits) in _GTIN_LENGTHS and gtin_valid(digits))


def _card_number_spans(text: str, *, product_code: bool) -> Iterator[tuple[int, int]]:
    """Character spans of card numbers, left to right, each the longest starting there."""
    if _CANDIDATE.search(text) is None:
        return
    runs = list(_digit_runs(text))
    index = 0
    while index < len(runs):
        longest = None
        digits = ""
        for last in range(index, len(runs)):
            if last > index and not runs[last].joined_to_previous:
                break
            digits += runs[last].digits
            if len(digits) > MAX_PAN_DIGITS:
                break
            if len(digits) >= MIN_PAN_DIGITS and _is_card_number(digits, product_code=product_code):
                longest = last
        if longest is None:
            index += 1
            continue
        yield runs[index].start, runs[longest].end
        index = longest + 1


def _digit_runs(text: str) -> Iterator[_DigitRun]:
    """Maximal runs of digits, each noting whether a short separator joins it to the last."""
    previous_end: int | None = None
    for match in _DIGITS.finditer(text):
        gap = None if previous_end is None else text[previous_end : match.start()]
        joined = gap is not None and len(gap) <= MAX_SEPARATOR_CHARS and all(map(_separates, gap))
        digits = match.group()
        if not digits.isascii():
            digits = "".join(str(unicodedata.decimal(char)) for char in digits)
        yield _DigitRun(match.start(), match.end(), digits, joined)
        previous_end = match.end()


def _separates(char: str) -> bool:
    return char in _SEPARATORS or char.isspace() or unicodedata.category(char) == "Pd"
