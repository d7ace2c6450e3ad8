"""How an operator reaches a run: the ``status`` query, the ``wait_settled`` update, and
``retry`` and ``abandon`` of a parked run.

``retry_parked`` and ``abandon_parked`` are updates: their validators refuse them unless the
run is parked (saying at which stage it is instead), and their reply says what the run does
now. The ``retry`` and ``abandon`` signals stay for older clients and recorded histories; a
signal that finds the run not parked is dropped, as it always was.
"""

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.operator import (
        OperatorAction,
        OperatorReply,
        RetryRequest,
        abandon_message,
        amendment_problem,
        not_parked,
        retry_message,
    )
    from domain.outcomes import SyncStage, SyncStatus
    from workflows.ticket_run import OperatorDecision, TicketRun

REFUSED = "OperatorRequestRefused"
"""The error type of a refused retry or abandon (the validator's message says why)."""


class ParkedRun(TicketRun):
    @workflow.update
    def retry_parked(self, request: RetryRequest) -> OperatorReply:
        """Run the parked stage again (after the cause was fixed), optionally on an amended
        ticket while the stock stage is parked."""
        reply = self._reply(
            OperatorAction.RETRY,
            retry_message(
                self._status.failure,
                self._parked_in,
                self._status.attempts + 1,
                request.amended,
            ),
        )
        self._decide(OperatorDecision(abandon=False, note=request.note, amended=request.amended))
        reply.stage = self._status.stage
        return reply

    @retry_parked.validator
    def _validate_retry(self, request: RetryRequest) -> None:
        self._require_parked()
        if request.amended is not None:
            problem = amendment_problem(self._ticket, request.amended, self._parked_in)
            if problem:
                raise ApplicationError(problem, type=REFUSED, non_retryable=True)

    @workflow.update
    def abandon_parked(self, reason: str) -> OperatorReply:
        """Give the transaction up: undo what stands of it, journal it as abandoned."""
        reply = self._reply(OperatorAction.ABANDON, abandon_message(self._parked_in))
        self._decide(OperatorDecision(abandon=True, note=reason or "no reason given"))
        reply.stage = self._status.stage
        return reply

    @abandon_parked.validator
    def _validate_abandon(self, reason: str) -> None:
        self._require_parked()

    @workflow.signal
    def retry(self, note: str = "") -> None:
        """Run the parked stage again (after the cause was fixed)."""
        self._decide(OperatorDecision(abandon=False, note=note))

    @workflow.signal
    def abandon(self, reason: str) -> None:
        """Give the transaction up: journal it as abandoned and resolve its exceptions."""
        self._decide(OperatorDecision(abandon=True, note=reason or "no reason given"))

    def _require_parked(self) -> None:
        if self._status.stage is not SyncStage.PARKED:
            raise ApplicationError(not_parked(self._status.stage), type=REFUSED, non_retryable=True)

    def _reply(self, action: OperatorAction, message: str) -> OperatorReply:
        return OperatorReply(
            workflow_id=self._status.workflow_id,
            action=action,
            accepted=True,
            message=message,
            attempt=self._status.attempts + 1 if action is OperatorAction.RETRY else None,
        )

    def _decide(self, decision: OperatorDecision) -> None:
        """Leaving PARKED at once means a wait for the outcome right after the signal does not
        return the stale parked status."""
        if self._status.stage is SyncStage.PARKED:
            self._decision = decision
            self._status.stage = SyncStage.RESUMING

    @workflow.query
    def status(self) -> SyncStatus:
        return self._status

    @workflow.update
    async def wait_settled(self) -> SyncStatus:
        """Return once the run is finished or parked waiting for an operator."""
        await workflow.wait_condition(lambda: self._status.stage.is_settled)
        return self._status
