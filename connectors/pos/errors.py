"""What a POS adapter raises on purpose.

``PayloadError`` means the payload as a whole cannot be read (too large, not XML/JSON, unsafe
XML): nothing in it can be trusted, so the caller answers 4xx or quarantines the file.
``ConversionError`` means one transaction cannot be converted; the adapter catches it and
reports that transaction as a reject, naming the field or element at fault.
"""


class PayloadError(ValueError):
    """The payload as a whole cannot be read."""


class ConversionError(ValueError):
    """One transaction cannot be converted: ``field`` names where, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
