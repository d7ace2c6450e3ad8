"""How a connector tells a transient failure from a business one.

Activities retry ErpUnavailable (with backoff, for days) and turn the business errors into
non-retryable failures that park the saga for an operator.
"""


class ErpError(Exception):
    """Base class of everything a connector raises on purpose."""


class ErpUnavailable(ErpError):
    """The ERP could not be reached or answered 5xx: try again later."""


class ErpRejected(ErpError):
    """The ERP refused the request for a business reason (validation, closed period, ...)."""


class ErpUnknownCodes(ErpError):
    """Codes that the ERP does not know: a mapping points at a record that does not exist."""

    def __init__(self, kind: str, codes: list[str]) -> None:
        super().__init__(f"the ERP has no {kind} with code {', '.join(sorted(codes))}")
        self.kind = kind
        self.codes = codes
