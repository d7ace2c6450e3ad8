"""Business failures cross the activity boundary as non-retryable ApplicationErrors.

The error's type is the exception kind; its single detail is the BusinessFailure, so the
workflow can park with the exact reason without parsing messages.
"""

from typing import NoReturn

from temporalio.exceptions import ApplicationError

from domain.outcomes import BusinessFailure, ExceptionKind


def business_failure(
    kind: ExceptionKind, message: str, details: dict[str, str] | None = None
) -> ApplicationError:
    failure = BusinessFailure(kind=kind, message=message, details=details or {})
    return ApplicationError(
        message, failure.model_dump(mode="json"), type=kind.value, non_retryable=True
    )


def raise_business_failure(failure: BusinessFailure) -> NoReturn:
    raise business_failure(failure.kind, failure.message, dict(failure.details))
