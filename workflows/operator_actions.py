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
        retry_message,
    )
    from workflows.parking import REFUSED, OperatorDecision
    from workflows.ticket_run import TicketRun


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
