"""What every run that parks shares (a ticket's, workflows/ticket_run.py; a stock event's,
workflows/stock_event_run.py): its status, parking until an operator decides, and the handlers
that reach it whatever the run: the ``status`` query, the ``wait_settled`` update, and the
``retry`` and ``abandon`` signals.

The signals stay for older clients and recorded histories; one that finds the run not parked
is dropped, as it always was. The ``retry_parked`` and ``abandon_parked`` updates check and
answer differently for each kind of run, so each declares its own.
"""

from collections.abc import Awaitable, Callable

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.operator import OperatorAction, OperatorReply, not_parked
    from domain.outcomes import BusinessFailure, ExceptionKind, Outcome, SyncStage, SyncStatus
    from domain.transaction import PosTransaction
    from workflows import search_attributes as attrs

REFUSED = "OperatorRequestRefused"
"""The error type of a refused retry or abandon (the validator's message says why)."""


class OperatorDecision:
    def __init__(self, *, abandon: bool, note: str, amended: PosTransaction | None = None) -> None:
        self.abandon = abandon
        self.note = note
        self.amended = amended


class ParkingRun:
    _status: SyncStatus
    _decision: OperatorDecision | None
    _parked_kinds: set[ExceptionKind]

    def _set_stage(self, stage: SyncStage, outcome: Outcome | None = None) -> None:
        raise NotImplementedError

    async def _wait_for_operator(
        self, failure: BusinessFailure, record: Callable[[], Awaitable[None]]
    ) -> OperatorDecision:
        """Park on ``failure`` (``record`` opens its exception) until an operator decides."""
        self._status.failure = failure
        self._parked_kinds.add(failure.kind)
        await record()
        workflow.upsert_search_attributes([attrs.EXCEPTION_KIND.value_set(failure.kind.value)])
        self._set_stage(SyncStage.PARKED, Outcome.PARKED)
        self._decision = None
        await workflow.wait_condition(lambda: self._decision is not None)
        decision, self._decision = self._decision, None
        assert decision is not None
        self._status.outcome = None
        return decision

    async def _finish(self) -> SyncStatus:
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._status

    @workflow.query
    def status(self) -> SyncStatus:
        return self._status

    @workflow.update
    async def wait_settled(self) -> SyncStatus:
        """Return once the run is finished or parked waiting for an operator."""
        await workflow.wait_condition(lambda: self._status.stage.is_settled)
        return self._status

    @workflow.signal
    def retry(self, note: str = "") -> None:
        """Run the parked stage again (after the cause was fixed)."""
        self._decide(OperatorDecision(abandon=False, note=note))

    @workflow.signal
    def abandon(self, reason: str) -> None:
        """Give the run up: journal it as abandoned and resolve its exceptions."""
        self._decide(OperatorDecision(abandon=True, note=reason or "no reason given"))

    def _reply(self, action: OperatorAction, message: str) -> OperatorReply:
        """The answer to an operator's retry or abandon (the stage the run is at now)."""
        return OperatorReply(
            workflow_id=self._status.workflow_id,
            action=action,
            accepted=True,
            message=message,
            stage=self._status.stage,
            attempt=self._status.attempts + 1 if action is OperatorAction.RETRY else None,
        )

    def _require_parked(self) -> None:
        if self._status.stage is not SyncStage.PARKED:
            raise ApplicationError(not_parked(self._status.stage), type=REFUSED, non_retryable=True)

    def _decide(self, decision: OperatorDecision) -> None:
        """Leaving PARKED at once means a wait for the outcome right after the signal does not
        return the stale parked status."""
        if self._status.stage is SyncStage.PARKED:
            self._decision = decision
            self._status.stage = SyncStage.RESUMING
