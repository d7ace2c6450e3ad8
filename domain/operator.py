"""What an operator asks of a parked run (``retry``, ``abandon``) and what the run answers."""

from enum import StrEnum

from pydantic import BaseModel, Field

from domain.outcomes import BusinessFailure, ExceptionKind, SyncStage
from domain.screening import screen_totals
from domain.transaction import PosTransaction


class OperatorAction(StrEnum):
    RETRY = "retry"
    ABANDON = "abandon"


class RetryRequest(BaseModel):
    note: str = ""
    amended: PosTransaction | None = Field(
        default=None,
        description="the ticket as it should have been (same store, terminal and transaction"
        " id), screened and booked instead of the one the till sent; only while the stock"
        " stage is parked (nothing of the ticket stands in the ERP yet)",
    )


class OperatorReply(BaseModel):
    """What the run did with an operator's request: ``accepted`` False when it was refused
    (e.g. the run is not parked), ``message`` says why or what happens now."""

    workflow_id: str
    action: OperatorAction
    accepted: bool
    message: str
    stage: SyncStage | None = None
    attempt: int | None = Field(default=None, description="the attempt a retry starts")


class ParkedStage(StrEnum):
    """Which part of the saga a run is parked in."""

    STOCK = "stock"
    """screen, map, reserve: undone before parking, so nothing of the ticket stands in the ERP"""
    BOOKS = "books"
    """post, pay, issue: the reservation stands"""


def not_parked(stage: SyncStage) -> str:
    return f"not parked: stage {stage.value}"


def amendment_problem(
    current: PosTransaction, amended: PosTransaction, parked_in: ParkedStage | None
) -> str | None:
    """Why an amended ticket cannot replace ``current`` in a retry (None: it can)."""
    if parked_in is not ParkedStage.STOCK:
        return (
            "an amended ticket is taken only while the stock stage is parked: the books follow"
            " the order already reserved; retry without it or abandon the run"
        )
    if amended.workflow_id != current.workflow_id:
        return (
            f"the amended ticket is {amended.workflow_id}, not {current.workflow_id}: it must"
            " keep the store, terminal and transaction id"
        )
    if not amended.is_complete:
        return f"the amended ticket is {amended.status.value}: only a completed ticket books"
    if failure := screen_totals(amended):
        return f"the amended ticket would park again: {failure.message}"
    return None


def retry_message(
    failure: BusinessFailure | None,
    parked_in: ParkedStage | None,
    attempt: int,
    amended: PosTransaction | None,
) -> str:
    """What a retry does, and what it cannot change."""
    stage = parked_in.value if parked_in else "stage"
    text = f"retrying the {stage}" + (f" after {failure.kind.value}" if failure else "")
    text += f": attempt {attempt}"
    if amended is not None:
        return text + f", with the amended ticket (gross {amended.totals.gross})"
    if failure is None:
        return text
    if failure.kind is ExceptionKind.TOTALS_MISMATCH and "erp_net" not in failure.details:
        text += (
            ". Note: the ticket is screened again exactly as the till sent it, so a mismatch in"
            " its own figures parks it again; send an amended ticket (retry --amended FILE) or"
            " abandon it"
        )
    elif failure.kind is ExceptionKind.TOTALS_MISMATCH:
        text += (
            ". Note: the ERP's own net or tax differed from the till's; this helps only once the"
            " ERP's taxes or the tax mappings were corrected"
        )
    elif failure.kind is ExceptionKind.INTERNAL_ERROR:
        text += ". Note: this helps only once a fix for the error is deployed"
    return text


def abandon_message(parked_in: ParkedStage | None) -> str:
    if parked_in is ParkedStage.BOOKS:
        return (
            "abandoning: what was posted or paid is undone, the stock is issued (the goods left"
            " the till), and the run is journaled as abandoned"
        )
    return "abandoning: nothing of the ticket stays in the ERP; journaled as abandoned"


class LifecycleAction(StrEnum):
    """What an operator records on an exception, beside retrying or abandoning its run."""

    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    NOTE = "note"


OPERATOR_NAME_MAX_CHARS = 64


class LifecycleChange(BaseModel):
    """An acknowledgement, an assignment or a note, by ``operator``."""

    action: LifecycleAction
    operator: str
    assignee: str = ""
    text: str = ""


def lifecycle_problem(change: LifecycleChange, operators: list[str]) -> str | None:
    """Why ``change`` cannot be recorded (None: it can): an operator's name is 1 to 64
    characters; an exception is assigned to a configured operator (``operators``); a note
    says something (it is kept cut to its bound)."""
    if not 0 < len(change.operator.strip()) <= OPERATOR_NAME_MAX_CHARS:
        return f"operator: a name of 1 to {OPERATOR_NAME_MAX_CHARS} characters"
    if change.action is LifecycleAction.ASSIGN and change.assignee not in operators:
        known = ", ".join(operators) or "none is configured"
        return f"assignee: no operator named {change.assignee!r} (operators: {known})"
    if change.action is LifecycleAction.NOTE and not change.text.strip():
        return "text: an empty note"
    return None


def cancelled_failure(parked_in: ParkedStage) -> BusinessFailure:
    """Why a run cancelled while ``parked_in`` waited on the ERP parked rather than ended."""
    if parked_in is ParkedStage.BOOKS:
        then = (
            "the goods left the till, so the reservation stands: retry to finish the books"
            " under the same ERP reference, or abandon to undo what was posted and issue the"
            " stock"
        )
    else:
        then = "what it reserved was released: retry to reserve again, or abandon the ticket"
    return BusinessFailure(
        kind=ExceptionKind.CANCELLED,
        message=f"the run was cancelled while its {parked_in.value} waited on the ERP; {then}",
    )
