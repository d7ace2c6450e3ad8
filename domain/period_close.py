"""What the period close workflow takes, shows and reports."""

from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from domain.periods import ErpPeriod, month_start
from domain.reconciliation import ReconciliationSummary


class CloseStep(StrEnum):
    MARKING = "marking"
    DRAINING = "draining"
    CONSOLIDATING = "consolidating"
    RECONCILING = "reconciling"
    AWAITING_APPROVAL = "awaiting_approval"
    CLOSING = "closing"
    CLOSED = "closed"
    ABORTED = "aborted"


class PeriodCloseRequest(BaseModel):
    """The workflow's input; from the Temporal UI: ``{"period": "2026-11"}``."""

    period: str = Field(description="YYYY-MM: the ERP period that contains its first day")
    company_id: int = 1
    drain_timeout_seconds: int = Field(default=2 * 3600, ge=0)
    drain_poll_seconds: int = Field(default=30, ge=1)

    @field_validator("period")
    @classmethod
    def _is_a_month(cls, period: str) -> str:
        month_start(period)
        return period.strip()


def period_close_workflow_id(company_id: int, period: str) -> str:
    return f"period-close-{company_id}-{period}"


class InFlight(BaseModel):
    count: int
    workflow_ids: list[str] = Field(description="the first few still running")


class PeriodCloseStatus(BaseModel):
    """What the ``status`` query returns."""

    company_id: int
    period: str
    step: CloseStep = CloseStep.MARKING
    erp_period: ErpPeriod | None = None
    in_flight: int = 0
    in_flight_ids: list[str] = Field(default_factory=list)
    drain_timed_out: bool = False
    consolidated_batches: int = 0
    reconciliation: ReconciliationSummary | None = None
    waiting_because: str | None = Field(default=None, description="why approval is needed")
    approval_note: str | None = None
    abort_reason: str | None = None


class CloseMark(BaseModel):
    """The activity input that marks a period as closing (or settles how it ended)."""

    company_id: int
    period: str
    workflow_id: str


class CloseOutcome(BaseModel):
    company_id: int
    period: str
    closed: bool
    note: str
    status: PeriodCloseStatus


def approval_needed(summary: ReconciliationSummary, *, left_in_flight: int) -> str | None:
    """Why finance must approve before the period closes in the ERP (None: nothing to approve):
    differences, open exceptions, receipts that never arrived, or ``left_in_flight``
    transactions the drain timed out on."""
    reasons = []
    if summary.differences:
        reasons.append(
            f"{summary.differences} differences on "
            f"{summary.store_days_needing_attention} store-days"
        )
    if summary.open_exceptions:
        reasons.append(f"{summary.open_exceptions} open exceptions")
    if summary.missing_receipts:
        reasons.append(f"{summary.missing_receipts} receipt numbers never arrived")
    if left_in_flight:
        reasons.append(f"{left_in_flight} transactions were still in flight")
    return "; ".join(reasons) or None
