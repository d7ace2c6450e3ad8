"""Accounting periods and the rule that decides on which day a posting lands.

A posting lands on its business date unless that date falls in a period that is closed in the
ERP, or that finance is closing (marked in the store while a period close runs). Then it is
re-dated to the first day of the next period that is open and not closing. When no period
contains the business date, or no later one is open, the business date is kept and the ERP
decides (it refuses: the run parks for an operator, who opens the books and retries).
"""

import re
from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.erp_ids import ErpId
from domain.outcomes import ExceptionKind, ReviewNotice

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PostingMode(StrEnum):
    """How the financial side of a ticket reaches the ERP (stock always moves per ticket)."""

    PER_TRANSACTION = "per_transaction"
    DAILY = "daily"


class ErpPeriod(BaseModel):
    """A standard accounting period as the ERP holds it."""

    model_config = ConfigDict(frozen=True)

    erp_id: ErpId
    name: str
    start_date: date
    end_date: date
    state: str = Field(description="open, closed or locked")

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


class DateRange(BaseModel):
    """A span of business dates, both ends included (a period being closed, a report)."""

    model_config = ConfigDict(frozen=True)

    start_date: date
    end_date: date

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


class PostingDate(BaseModel):
    """Where one posting lands, and why it moved when it did."""

    business_date: date
    posting_date: date
    reason: str | None = Field(default=None, description="why it was re-dated; None if not")

    @property
    def redated(self) -> bool:
        return self.posting_date != self.business_date


class PostingPlan(BaseModel):
    """What the saga's plan step decides before it posts."""

    mode: PostingMode
    posting: PostingDate

    @property
    def redated(self) -> bool:
        """A per-transaction posting moved to a later period (daily postings date later)."""
        return self.mode is PostingMode.PER_TRANSACTION and self.posting.redated


def month_start(period: str) -> date:
    """The first day of a ``YYYY-MM`` period name (what finance types: ``2026-11``)."""
    match = _MONTH.match(period.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{period!r} is not a period: write it as YYYY-MM, e.g. 2026-11")
    return date(int(match.group(1)), int(match.group(2)), 1)


def period_containing(periods: Iterable[ErpPeriod], day: date) -> ErpPeriod | None:
    """The period ``day`` falls in; None when none of ``periods`` contains it."""
    return next((period for period in periods if period.contains(day)), None)


def decide_posting_date(
    business_date: date, periods: Sequence[ErpPeriod], closing: Sequence[DateRange]
) -> PostingDate:
    """The posting date for ``business_date`` given the ERP's periods and the closing marks.

    ``periods`` must cover the business date and the periods after it (any order).
    """
    ordered = sorted(periods, key=lambda period: period.start_date)
    home = period_containing(ordered, business_date)
    if home is None:
        return PostingDate(business_date=business_date, posting_date=business_date)
    blocked = _why_blocked(home, closing)
    if blocked is None:
        return PostingDate(business_date=business_date, posting_date=business_date)
    later = (period for period in ordered if period.start_date > home.end_date)
    target = next((period for period in later if _why_blocked(period, closing) is None), None)
    if target is None:
        return PostingDate(business_date=business_date, posting_date=business_date)
    return PostingDate(
        business_date=business_date,
        posting_date=target.start_date,
        reason=f"period {home.name} {blocked}; posted in {target.name}",
    )


def _why_blocked(period: ErpPeriod, closing: Sequence[DateRange]) -> str | None:
    if not period.is_open:
        return f"is {period.state} in the ERP"
    if any(mark.contains(period.start_date) for mark in closing):
        return "is being closed by finance"
    return None


def redating_notice(posting: PostingDate) -> ReviewNotice:
    """The period_redated exception a re-dated posting leaves for finance."""
    return ReviewNotice(
        kind=ExceptionKind.PERIOD_REDATED,
        message=f"business date {posting.business_date} posted on {posting.posting_date}: "
        f"{posting.reason}",
        details={
            "business_date": posting.business_date.isoformat(),
            "posting_date": posting.posting_date.isoformat(),
        },
    )
