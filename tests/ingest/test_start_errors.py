"""Which refusals of a workflow start are worth sending again: only those that pass."""

import pytest
from temporalio.service import RPCStatusCode

from starter.ingest.models import IngestOutcome
from starter.ingest.start_errors import start_outcome


@pytest.mark.parametrize(
    ("status", "message", "outcome"),
    [
        (RPCStatusCode.UNAVAILABLE, "connection refused", IngestOutcome.UNAVAILABLE),
        (RPCStatusCode.DEADLINE_EXCEEDED, "context deadline exceeded", IngestOutcome.UNAVAILABLE),
        (
            RPCStatusCode.RESOURCE_EXHAUSTED,
            "namespace rate limit exceeded",
            IngestOutcome.UNAVAILABLE,
        ),
        (RPCStatusCode.INTERNAL, "shard closed", IngestOutcome.UNAVAILABLE),
        (RPCStatusCode.INVALID_ARGUMENT, "Blob data size exceeds limit.", IngestOutcome.REJECTED),
        (
            RPCStatusCode.RESOURCE_EXHAUSTED,
            "grpc: received message larger than max (5242880 vs. 4194304)",
            IngestOutcome.REJECTED,
        ),
        (RPCStatusCode.NOT_FOUND, "Namespace nowhere is not found.", IngestOutcome.FAILED),
        (RPCStatusCode.PERMISSION_DENIED, "Request unauthorized.", IngestOutcome.FAILED),
        (RPCStatusCode.UNAUTHENTICATED, "no credentials", IngestOutcome.FAILED),
    ],
)
def test_only_a_failure_that_passes_is_answered_send_it_again(
    status: RPCStatusCode, message: str, outcome: IngestOutcome
) -> None:
    assert start_outcome(status, message) is outcome


def test_each_outcome_has_its_own_http_status() -> None:
    assert (
        IngestOutcome.REJECTED.http_status,
        IngestOutcome.FAILED.http_status,
        IngestOutcome.UNAVAILABLE.http_status,
    ) == (422, 500, 503)
