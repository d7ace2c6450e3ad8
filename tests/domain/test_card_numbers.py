"""Full card numbers are found whatever the separators, and redaction leaves none behind."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.card_numbers import (
    MAX_PAN_DIGITS,
    MIN_PAN_DIGITS,
    REDACTED,
    contains_card_number,
    luhn_valid,
    redact_card_numbers,
)

VISA = "4111111111111111"


def _luhn_check_digit(body: str) -> str:
    return next(digit for digit in "0123456789" if luhn_valid(body + digit))


pans = st.builds(
    lambda first, body: first + body + _luhn_check_digit(first + body),
    st.sampled_from("123456789"),
    st.integers(MIN_PAN_DIGITS - 2, MAX_PAN_DIGITS - 2).flatmap(
        lambda length: st.text("0123456789", min_size=length, max_size=length)
    ),
)
separators = st.text(" -./_\t\u00a0\u2013", min_size=1, max_size=3)


@st.composite
def written_pans(draw: st.DrawFn) -> tuple[str, str]:
    """A PAN and how a till might write it: split anywhere, any short separators."""
    pan = draw(pans)
    cuts = sorted(draw(st.sets(st.integers(1, len(pan) - 1), max_size=5)))
    pieces = [pan[start:end] for start, end in zip([0, *cuts], [*cuts, len(pan)], strict=True)]
    written = pieces[0]
    for piece in pieces[1:]:
        written += draw(separators) + piece
    return pan, written


surroundings = st.text(st.characters(codec="utf-8", exclude_categories=["Nd"]), max_size=12)


@pytest.mark.parametrize(
    "text",
    [
        "4111.1111.1111.1111",
        "4111/1111/1111/1111",
        "4111_1111_1111_1111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "2026-11-20 4111111111111111",
        "20261120-4111 1111 1111 1111",
        "4111111111111111 12/28",
        "4111-1111-1111-1111=2812",
        "ref:4111111111111111;",
        "Card " + "".join(chr(ord(digit) - ord("0") + 0xFF10) for digit in VISA),
        "378282246310005",
    ],
)
def test_card_numbers_written_the_ways_tills_write_them_are_found(text: str) -> None:
    assert contains_card_number(text)
    assert REDACTED in redact_card_numbers(text)
    assert not contains_card_number(redact_card_numbers(text))


@pytest.mark.parametrize(
    "text",
    [
        "8815990431372741",  # fails the Luhn check
        "4111 1111 1111 111",  # 15 digits, fails the Luhn check
        "************1111",
        "411111xxxxxx1111",
        "00075810150252",  # a GTIN-14 that passes the Luhn check: starts with 0
        "9-1-20261120-12",
        "41111111111111111111",  # 20 digits: an identifier
        "4111 ab 1111 1111 1111",  # a letter ends a number
        "2026-12-02T13:41:04.076192+00:00",  # a clock: a colon ends a number
    ],
)
def test_what_is_not_a_card_number(text: str) -> None:
    assert not contains_card_number(text)
    assert redact_card_numbers(text) == text


def test_a_gtin_is_a_barcode_in_a_product_code_only() -> None:
    gtin = "5000112637991"  # valid GS1 check digit, and passes the Luhn check

    assert luhn_valid(gtin)
    assert contains_card_number(gtin)
    assert not contains_card_number(gtin, product_code=True)
    assert contains_card_number(VISA, product_code=True)


@settings(max_examples=500)
@given(written_pans(), surroundings, surroundings)
def test_a_pan_is_found_whatever_the_separators_and_the_text_around_it(
    written: tuple[str, str], before: str, after: str
) -> None:
    pan, text = written
    text = f"{before} {text} {after}"

    assert contains_card_number(text)
    redacted = redact_card_numbers(text)
    assert not contains_card_number(redacted)
    assert pan not in "".join(char for char in redacted if char.isdigit())


@settings(max_examples=500)
@given(st.text(st.sampled_from("0123456789 -./_:x"), max_size=80))
def test_redaction_leaves_no_card_number_and_changes_nothing_else(text: str) -> None:
    redacted = redact_card_numbers(text)

    assert not contains_card_number(redacted)
    assert (redacted == text) is not contains_card_number(text)
    assert redact_card_numbers(redacted) == redacted


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_any_text_is_scanned_without_error(text: str) -> None:
    assert contains_card_number(redact_card_numbers(text)) is False
