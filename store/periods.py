"""Period closes: the "closing" mark that re-dates postings, and how each close ended."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from domain.outcomes import ExceptionKind
from domain.periods import DateRange
from store.exceptions import resolve
from store.tables import PeriodClose, SyncException

CLOSING = "closing"
CLOSED = "closed"
ABORTED = "aborted"
REOPENED = "reopened"
_REDATING_STATES = (CLOSING, CLOSED)


def find_close(session: Session, company_id: int, period: str) -> PeriodClose | None:
    return session.exec(
        select(PeriodClose).where(
            PeriodClose.company_id == company_id, PeriodClose.period == period
        )
    ).first()


def mark_closing(
    session: Session,
    *,
    company_id: int,
    period: str,
    dates: DateRange,
    workflow_id: str,
    now: datetime,
) -> PeriodClose:
    """From now on postings dated in ``dates`` re-date forward (until closed or aborted)."""
    record = find_close(session, company_id, period) or PeriodClose(
        company_id=company_id,
        period=period,
        start_date=dates.start_date,
        end_date=dates.end_date,
        state=CLOSING,
        marked_at=now,
    )
    if record.state != CLOSED:
        record.state = CLOSING
        record.marked_at = now
    record.start_date, record.end_date = dates.start_date, dates.end_date
    record.workflow_id = workflow_id
    session.add(record)
    session.flush()
    return record


_CLOSES = PeriodClose.__table__.c  # type: ignore[attr-defined]
_CLOSING = select_columns(_CLOSES.start_date, _CLOSES.end_date).where(
    _CLOSES.company_id == bindparam("company"),
    _CLOSES.state.in_(_REDATING_STATES),
    _CLOSES.end_date >= bindparam("from_date"),
)
"""``closing_ranges``' query on the table, built once: it runs on each ticket's hot path."""


def closing_ranges(session: Session, company_id: int, from_date: date) -> list[DateRange]:
    """Periods ending on or after ``from_date`` that finance is closing or has closed."""
    records = session.connection().execute(
        _CLOSING, {"company": company_id, "from_date": from_date}
    )
    return [DateRange(start_date=row.start_date, end_date=row.end_date) for row in records]


def ranges_being_closed(session: Session, company_id: int) -> list[DateRange]:
    """Periods a running close owns: only it books their daily consolidated postings."""
    records = session.exec(
        select(PeriodClose).where(
            PeriodClose.company_id == company_id, PeriodClose.state == CLOSING
        )
    ).all()
    return [DateRange(start_date=row.start_date, end_date=row.end_date) for row in records]


def save_reconciliation(
    session: Session, company_id: int, period: str, reconciliation: dict[str, Any]
) -> None:
    record = _require(session, company_id, period)
    record.reconciliation = reconciliation
    session.add(record)


def settle_close(
    session: Session,
    *,
    company_id: int,
    period: str,
    state: str,
    note: str | None,
    now: datetime,
    report: dict[str, Any] | None = None,
) -> PeriodClose:
    """Record how a close ended (closed, aborted) or that the period was reopened."""
    record = _require(session, company_id, period)
    record.state = state
    record.note = note
    if state == CLOSED:
        record.closed_at = now
    if report is not None:
        record.report = report
    session.add(record)
    session.flush()
    return record


def acknowledge_redated(session: Session, dates: DateRange, resolution: str, now: datetime) -> int:
    """Resolve the period_redated exceptions of tickets dated in ``dates``."""
    records = session.exec(
        select(SyncException).where(
            SyncException.kind == ExceptionKind.PERIOD_REDATED.value,
            SyncException.state == "open",
            col(SyncException.business_date) >= dates.start_date,
            col(SyncException.business_date) <= dates.end_date,
        )
    ).all()
    return resolve(session, records, resolution, now)


def _require(session: Session, company_id: int, period: str) -> PeriodClose:
    record = find_close(session, company_id, period)
    if record is None:
        raise LookupError(f"period {period} of company {company_id} was never marked for closing")
    return record
