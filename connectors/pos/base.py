"""The result every POS adapter returns, and how validation errors are rendered.

An adapter never drops a transaction silently: each one in the payload ends up in exactly one
of ``transactions`` (converted and valid), ``rejects`` (with the fields at fault) or
``skipped`` (not a transaction to post, such as a POSLog sign-on, with the reason).
"""

from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from connectors.pos.errors import ConversionError
from domain.card_numbers import MAX_PAN_DIGITS, MAX_SEPARATOR_CHARS, redact_card_numbers
from domain.transaction import PosTransaction, TransactionKind

RAW_EXCERPT_CHARS = 300
ROOT_FIELD = "<root>"
"""The field name used for an error about the record as a whole."""
_LONGEST_WRITTEN_PAN = MAX_PAN_DIGITS * (1 + MAX_SEPARATOR_CHARS)


def kept_text(text: str) -> str:
    """Text as tillsync keeps and answers it: card numbers redacted, lone surrogates escaped."""
    return redact_card_numbers(text).encode("utf-8", "backslashreplace").decode("utf-8")


def raw_excerpt(text: str, limit: int = RAW_EXCERPT_CHARS) -> str:
    """The start of a text, redacted before it is cut (so no card number is halved)."""
    return kept_text(text[: limit + _LONGEST_WRITTEN_PAN])[:limit]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldError(_Frozen):
    field: str = Field(description="dotted path (lines.0.unit_price) or source element path")
    reason: str

    @field_validator("field", "reason")
    @classmethod
    def _kept(cls, text: str) -> str:
        return raw_excerpt(text)

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class Reject(_Frozen):
    """A transaction that could not be converted."""

    source_index: int = Field(ge=0, description="position of the record in the payload")
    transaction_id: str | None
    errors: list[FieldError] = Field(min_length=1)
    raw: str = Field(
        description=f"the start of the source record (≤ {RAW_EXCERPT_CHARS} chars, card numbers"
        " redacted)"
    )

    @field_validator("raw", "transaction_id")
    @classmethod
    def _redacted(cls, text: str | None) -> str | None:
        return None if text is None else kept_text(text)


class Skipped(_Frozen):
    """A record that is not a transaction to post (a sign-on, a training ticket)."""

    source_index: int = Field(ge=0)
    transaction_id: str | None
    reason: str
    store_id: str | None = None
    terminal_id: str | None = None
    receipt_number: int | None = Field(
        default=None, description="the sequence number it used up on its terminal, if any"
    )


class AdapterResult(_Frozen):
    transactions: list[PosTransaction] = Field(default_factory=list)
    rejects: list[Reject] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)


def field_errors(error: ValidationError) -> list[FieldError]:
    """One FieldError per pydantic error, with a dotted path such as ``lines.0.unit_price``."""
    return [
        FieldError(
            field=".".join(str(part) for part in detail["loc"]) or ROOT_FIELD,
            reason=detail["msg"].removeprefix("Value error, "),
        )
        for detail in error.errors(include_url=False)
    ]


def format_errors(error: ValidationError) -> list[str]:
    """The errors of a ValidationError as ``field: reason`` lines."""
    return [str(item) for item in field_errors(error)]


def reject(source_index: int, transaction_id: str | None, error: Exception, raw: str) -> Reject:
    """A Reject for a ConversionError or a ValidationError raised while converting a record."""
    if isinstance(error, ValidationError):
        errors = field_errors(error)
    elif isinstance(error, ConversionError):
        errors = [FieldError(field=error.field, reason=error.reason)]
    else:
        raise TypeError(f"cannot report {type(error).__name__} as a reject") from error
    return Reject(
        source_index=source_index,
        transaction_id=transaction_id,
        errors=errors,
        raw=raw_excerpt(raw),
    )


def kind_of(quantities: Iterable[Decimal]) -> TransactionKind:
    """Sale when every quantity is positive, return when every one is negative, else exchange."""
    returned = [quantity < 0 for quantity in quantities]
    if returned and all(returned):
        return TransactionKind.RETURN
    return TransactionKind.EXCHANGE if any(returned) else TransactionKind.SALE
