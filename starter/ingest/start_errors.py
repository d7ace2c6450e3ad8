"""What Temporal's refusal of a workflow start means for the till, by its gRPC status.

Only a failure that passes is worth sending again later (503). A refusal of the record itself
is answered as a reject (422), and a fault of the ingest's own Temporal setup (its namespace,
its credentials) as a server error (500, logged for an operator): sending again does not help
until someone fixes it.
"""

from temporalio.service import RPCStatusCode

from starter.ingest.models import IngestOutcome

_THE_RECORD = frozenset({RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.OUT_OF_RANGE})
"""Temporal refused what was sent: e.g. a payload over its blob size limit."""
_THE_SETUP = frozenset(
    {
        RPCStatusCode.NOT_FOUND,
        RPCStatusCode.PERMISSION_DENIED,
        RPCStatusCode.UNAUTHENTICATED,
        RPCStatusCode.UNIMPLEMENTED,
    }
)
"""A namespace that does not exist, credentials refused, a server without the API."""
_MESSAGE_TOO_LARGE = "larger than max"
"""gRPC's RESOURCE_EXHAUSTED for a message over its size limit ("... larger than max (N vs.
M)"), which is the record's size, not a rate limit that passes."""


def start_outcome(status: RPCStatusCode, message: str) -> IngestOutcome:
    """REJECTED, FAILED or UNAVAILABLE for a start Temporal refused with ``status``."""
    if status in _THE_RECORD:
        return IngestOutcome.REJECTED
    if status is RPCStatusCode.RESOURCE_EXHAUSTED and _MESSAGE_TOO_LARGE in message.lower():
        return IngestOutcome.REJECTED
    if status in _THE_SETUP:
        return IngestOutcome.FAILED
    return IngestOutcome.UNAVAILABLE
