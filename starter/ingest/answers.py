"""How the ingest answers, shared by its routers: refusals as ``application/problem+json``, a
batch's per-record results under the status they share, and Retry-After when Temporal was
unavailable."""

from collections import Counter
from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse
from temporalio.service import RPCError

from connectors.pos.base import FieldError
from starter.ingest.handling import Refusal
from starter.ingest.models import BatchResult, IngestOutcome, ItemResult, Problem
from starter.ingest.openapi import PROBLEM_MEDIA_TYPE, posting_responses

RETRY_AFTER_UNAVAILABLE = "5"


def problem(
    status: HTTPStatus,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    answer = Problem(status=status, title=status.phrase, detail=detail, errors=errors or [])
    return JSONResponse(
        answer.model_dump(mode="json"),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def unavailable(error: RPCError) -> Refusal:
    return Refusal(
        HTTPStatus.SERVICE_UNAVAILABLE,
        f"Temporal did not answer: {error.message}",
        headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
    )


def retry_after(outcome: IngestOutcome) -> dict[str, str]:
    return {"Retry-After": RETRY_AFTER_UNAVAILABLE} if outcome is IngestOutcome.UNAVAILABLE else {}


def batch_route() -> dict[str, Any]:
    """How a route answering with ``batch_answer`` is declared (to FastAPI and the OpenAPI
    page)."""
    return {
        "status_code": HTTPStatus.ACCEPTED,
        "response_model": BatchResult,
        "responses": posting_responses("BatchResult", HTTPStatus.MULTI_STATUS),
    }


def batch_answer(results: list[ItemResult]) -> JSONResponse:
    """One result per record; the status they share, 207 when they differ (200 for none)."""
    counts = Counter(result.outcome for result in results)
    batch = BatchResult(
        results=results,
        started=counts[IngestOutcome.STARTED],
        duplicates=counts[IngestOutcome.DUPLICATE],
        skipped=counts[IngestOutcome.SKIPPED],
        rejected=counts[IngestOutcome.REJECTED],
        unavailable=counts[IngestOutcome.UNAVAILABLE],
        failed=counts[IngestOutcome.FAILED],
    )
    statuses = {result.status for result in results}
    status = statuses.pop() if len(statuses) == 1 else HTTPStatus.MULTI_STATUS
    return JSONResponse(
        batch.model_dump(mode="json", exclude_none=True),
        status_code=status if results else HTTPStatus.OK,
        headers=retry_after(IngestOutcome.UNAVAILABLE) if batch.unavailable else {},
    )
