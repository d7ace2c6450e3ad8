"""A worker interceptor that counts how tickets end and times their stages, from the store
activities' inputs and results: the workflow code stays free of metrics.

Stage latencies start at the ticket's submission (the claim's input) and are kept in this
process until the run posts: the claim, the reservation and the journal of a run all run on
the worker that holds it (local activities; a sale's in one, its express admission), so its
clock is here. A run moved to another
worker meanwhile (a restart) is simply not timed.
"""

from collections import OrderedDict
from datetime import UTC, datetime
from threading import Lock
from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from activities.admission import Admission, AdmissionRequest
from activities.store import ClaimOutcome, OutcomeRecord
from domain.outcomes import Outcome, Submission
from domain.transaction import PosTransaction
from observability.metrics import STAGE_LATENCY, TICKETS

RESERVED, POSTED = "reserved", "posted"
_ADMISSIONS = ("store.claim", "ticket.admit", "ticket.admit_and_reserve")
MAX_TIMED_RUNS = 100_000
"""Runs timed at once; the oldest submissions are forgotten beyond (parked for long)."""


class StageClock:
    """When each run in flight here was submitted, and whether its reservation was timed."""

    def __init__(self, capacity: int = MAX_TIMED_RUNS) -> None:
        self._submitted: OrderedDict[str, tuple[datetime, bool]] = OrderedDict()
        self._capacity = capacity
        self._lock = Lock()

    def submitted(self, workflow_id: str, at: datetime) -> None:
        with self._lock:
            self._submitted[workflow_id] = (at, False)
            while len(self._submitted) > self._capacity:
                self._submitted.popitem(last=False)

    def reserved(self, workflow_id: str, now: datetime) -> None:
        with self._lock:
            entry = self._submitted.get(workflow_id)
            if entry is None or entry[1]:
                return
            self._submitted[workflow_id] = (entry[0], True)
        STAGE_LATENCY.labels(RESERVED).observe(_seconds(entry[0], now))

    def ended(self, workflow_id: str, outcome: Outcome, now: datetime) -> None:
        with self._lock:
            entry = self._submitted.pop(workflow_id, None)
        if entry is not None and outcome is Outcome.POSTED:
            STAGE_LATENCY.labels(POSTED).observe(_seconds(entry[0], now))


class SyncMetricsInterceptor(Interceptor):
    def __init__(self, clock: StageClock | None = None) -> None:
        self._clock = clock or StageClock()

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Inbound(next, self._clock)


class _Inbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, clock: StageClock) -> None:
        super().__init__(next)
        self._clock = clock

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        result = await super().execute_activity(input)
        name = activity.info().activity_type
        argument = input.args[0] if input.args else None
        now = datetime.now(UTC)
        if isinstance(argument, AdmissionRequest):
            argument = argument.submission
        if name in _ADMISSIONS and isinstance(argument, Submission):
            self._admitted(argument, result, now)
        elif name == "erp.reserve":
            self._clock.reserved(activity.info().workflow_id or "", now)
        elif name == "store.record_outcome" and isinstance(argument, OutcomeRecord):
            self._ended(argument.transaction, argument.outcome, now)
        return result

    def _admitted(self, submission: Submission, result: Any, now: datetime) -> None:
        """A claim; an express admission may also have reserved the ticket and journaled it."""
        txn = submission.transaction
        claim = result.claim if isinstance(result, Admission) else result
        if isinstance(claim, ClaimOutcome) and not claim.is_owner:
            TICKETS.labels(txn.store_id, Outcome.DUPLICATE.value).inc()
            return
        self._clock.submitted(txn.workflow_id, submission.submitted_at)
        if isinstance(result, Admission) and result.reservation is not None:
            self._clock.reserved(txn.workflow_id, result.reserved_at or now)
        if isinstance(result, Admission) and result.journaled:
            self._ended(txn, Outcome.POSTED, now)

    def _ended(self, txn: PosTransaction, outcome: Outcome, now: datetime) -> None:
        TICKETS.labels(txn.store_id, outcome.value).inc()
        self._clock.ended(txn.workflow_id, outcome, now)


def _seconds(start: datetime, end: datetime) -> float:
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    return max((end - start).total_seconds(), 0.0)
