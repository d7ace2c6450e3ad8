"""How a connector tells a transient failure from a business one.

Activities retry ErpUnavailable (with backoff, for days) and turn the business errors into
non-retryable failures that park the saga for an operator.
"""

from decimal import Decimal
from enum import StrEnum

from domain.tax import TaxReconciliation


class ErpError(Exception):
    """Base class of everything a connector raises on purpose."""


class ErpUnavailable(ErpError):
    """The ERP could not be reached or answered 5xx: try again later."""


class ErpRejected(ErpError):
    """The ERP refused the request for a business reason (validation, closed period, ...)."""


class UnknownCode(StrEnum):
    """What kind of record an ErpUnknownCodes names. Every connector uses these for a ticket's
    codes; activities.errors.UNKNOWN_CODE_KINDS says which exception (and owner) each opens.
    Other kinds (an account, a sequence type, a damaged-goods location) are the ERP's setup."""

    WAREHOUSE = "warehouse"
    PRODUCT = "product"
    TAX = "tax"
    CUSTOMER = "customer"
    PAYMENT_METHOD = "payment method"
    CURRENCY = "currency"
    PURCHASE_ORDER = "purchase order"


class ErpUnknownCodes(ErpError):
    """Codes that the ERP does not know: a mapping points at a record that does not exist."""

    def __init__(self, kind: str, codes: list[str]) -> None:
        super().__init__(f"the ERP has no {kind} with code {', '.join(sorted(codes))}")
        self.kind = kind
        self.codes = codes


class ErpTotalsMismatch(ErpRejected):
    """The ERP's own net or tax differs from the till's beyond tolerance; nothing was adjusted.

    ``reconciliation`` names both sets of figures (ERP computed and POS), per tax.
    """

    def __init__(self, reconciliation: TaxReconciliation, tolerance: Decimal) -> None:
        super().__init__(f"{reconciliation.describe()}: beyond the tolerance of {tolerance}")
        self.reconciliation = reconciliation
        self.tolerance = tolerance


class ErpReturnRefused(ErpRejected):
    """A referenced return the original sale does not allow (unknown line, too many)."""

    def __init__(self, original_reference: str, original_line_number: int, reason: str) -> None:
        super().__init__(
            f"cannot return line {original_line_number} of {original_reference}: {reason}"
        )
        self.original_reference = original_reference
        self.original_line_number = original_line_number
        self.reason = reason
