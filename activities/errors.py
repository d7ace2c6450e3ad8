"""Business failures cross the activity boundary as non-retryable ApplicationErrors.

The error's type is the exception kind; its single detail is the BusinessFailure, so the
workflow can park with the exact reason without parsing messages.
"""

from typing import NoReturn

from temporalio.exceptions import ApplicationError

from connectors.erp.errors import ErpUnknownCodes, UnknownCode
from domain.outcomes import BusinessFailure, ExceptionKind

UNKNOWN_CODE_KINDS: dict[str, ExceptionKind] = {
    UnknownCode.WAREHOUSE: ExceptionKind.UNMAPPED_LOCATION,
    UnknownCode.PRODUCT: ExceptionKind.UNMAPPED_SKU,
    UnknownCode.TAX: ExceptionKind.UNMAPPED_TAX,
    UnknownCode.CUSTOMER: ExceptionKind.UNKNOWN_CUSTOMER,
    UnknownCode.PAYMENT_METHOD: ExceptionKind.UNKNOWN_PAYMENT_METHOD,
    UnknownCode.CURRENCY: ExceptionKind.UNKNOWN_CURRENCY,
    UnknownCode.PURCHASE_ORDER: ExceptionKind.PURCHASE_ORDER_UNKNOWN,
}
"""The one place that says which exception (and so which owner: ExceptionKind.owner) a code
the ERP does not know opens; any other kind of record is ERP_SETUP_MISSING."""


def business_failure(
    kind: ExceptionKind, message: str, details: dict[str, str] | None = None
) -> ApplicationError:
    failure = BusinessFailure(kind=kind, message=message, details=details or {})
    return ApplicationError(
        message, failure.model_dump(mode="json"), type=kind.value, non_retryable=True
    )


def raise_business_failure(failure: BusinessFailure) -> NoReturn:
    raise business_failure(failure.kind, failure.message, dict(failure.details))


def unknown_codes_failure(error: ErpUnknownCodes) -> ApplicationError:
    kind = UNKNOWN_CODE_KINDS.get(error.kind, ExceptionKind.ERP_SETUP_MISSING)
    return business_failure(
        kind, str(error), {"erp_record": error.kind, "erp_codes": ", ".join(error.codes)}
    )


def failure_in(error: BaseException | None) -> BusinessFailure | None:
    """The BusinessFailure ``business_failure`` put in an error, read back (in a workflow)."""
    if isinstance(error, ApplicationError) and error.details:
        return BusinessFailure.model_validate(error.details[0])
    return None
