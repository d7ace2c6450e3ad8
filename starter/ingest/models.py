"""What the ingest answers: per-transaction results, and problems (RFC 9457 style)."""

from enum import StrEnum
from http import HTTPStatus

from pydantic import BaseModel, Field

from connectors.pos.base import FieldError


class IngestOutcome(StrEnum):
    STARTED = "started"
    """the workflow was started (HTTP 202)"""
    DUPLICATE = "duplicate"
    """the transaction was submitted before; its workflow exists (HTTP 200)"""
    SKIPPED = "skipped"
    """a record with nothing to post, such as a POSLog sign-on (HTTP 200)"""
    REJECTED = "rejected"
    """the transaction is invalid; nothing was started (HTTP 422)"""
    UNAVAILABLE = "unavailable"
    """Temporal did not accept the start; send it again later (HTTP 503)"""
    FAILED = "failed"
    """the ingest cannot start workflows (its Temporal setup is at fault, an operator is told):
    sending again helps only once that is fixed (HTTP 500)"""

    @property
    def http_status(self) -> int:
        return _STATUSES[self]


_STATUSES = {
    IngestOutcome.STARTED: HTTPStatus.ACCEPTED,
    IngestOutcome.DUPLICATE: HTTPStatus.OK,
    IngestOutcome.SKIPPED: HTTPStatus.OK,
    IngestOutcome.REJECTED: HTTPStatus.UNPROCESSABLE_ENTITY,
    IngestOutcome.UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    IngestOutcome.FAILED: HTTPStatus.INTERNAL_SERVER_ERROR,
}


class ItemResult(BaseModel):
    """What became of one transaction of the request."""

    index: int = Field(description="position of the record in the body")
    outcome: IngestOutcome
    status: int = Field(description="the HTTP status this record alone would have had")
    transaction_id: str | None = None
    workflow_id: str | None = Field(default=None, description="set when the workflow exists")
    errors: list[FieldError] = Field(default_factory=list, description="why it was rejected")
    reason: str | None = Field(default=None, description="why it was skipped or not started")


class BatchResult(BaseModel):
    """The answer to a batch: 202, 200, 422, 500 or 503 when every record had that status, else
    207."""

    results: list[ItemResult]
    started: int
    duplicates: int
    skipped: int
    rejected: int
    unavailable: int
    failed: int = 0


class Problem(BaseModel):
    """Why a request was refused as a whole."""

    status: int
    title: str
    detail: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class Health(BaseModel):
    status: str
    temporal: str
