"""Exceptions: opened by the saga, resolved when the run posts or an operator abandons it."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from domain.outcomes import ExceptionKind, ExceptionReport
from store.tables import SyncException


def open_exception(
    session: Session,
    *,
    kind: ExceptionKind,
    store_id: str,
    message: str,
    now: datetime,
    workflow_id: str | None = None,
    terminal_id: str | None = None,
    transaction_id: str | None = None,
    business_date: date | None = None,
    details: dict[str, Any] | None = None,
) -> SyncException:
    """Open an exception, or refresh the open one of the same kind for the same run."""
    existing = (
        session.exec(
            select(SyncException).where(
                SyncException.workflow_id == workflow_id,
                SyncException.kind == kind.value,
                SyncException.state == "open",
            )
        ).first()
        if workflow_id
        else None
    )
    record = existing or SyncException(
        kind=kind.value,
        owner=kind.owner.value,
        workflow_id=workflow_id,
        store_id=store_id,
        terminal_id=terminal_id,
        transaction_id=transaction_id,
        business_date=business_date,
        message=message,
        opened_at=now,
    )
    record.message = message
    record.details = details or {}
    session.add(record)
    session.flush()
    return record


def resolve_exceptions(
    session: Session,
    workflow_id: str,
    kinds: Iterable[ExceptionKind],
    resolution: str,
    now: datetime,
) -> int:
    """Resolve a run's open exceptions of the given kinds. Returns how many were resolved."""
    records = session.exec(
        select(SyncException).where(
            SyncException.workflow_id == workflow_id,
            SyncException.state == "open",
            col(SyncException.kind).in_([kind.value for kind in kinds]),
        )
    ).all()
    return resolve(session, records, resolution, now)


def resolve(
    session: Session, records: Iterable[SyncException], resolution: str, now: datetime
) -> int:
    """Mark ``records`` resolved, saying how. Returns how many."""
    count = 0
    for record in records:
        record.state = "resolved"
        record.resolved_at = now
        record.resolution = resolution
        session.add(record)
        count += 1
    session.flush()
    return count


def record_failure(
    session: Session,
    failure: ExceptionReport,
    *,
    store_id: str,
    now: datetime,
    workflow_id: str | None = None,
    terminal_id: str | None = None,
    transaction_id: str | None = None,
    business_date: date | None = None,
    resolution: str | None = None,
) -> SyncException:
    """Open (or refresh) the exception a failure, or a notice for review, stands for;
    resolved at once, saying how, when ``resolution`` is given."""
    record = open_exception(
        session,
        kind=failure.kind,
        store_id=store_id,
        message=failure.message,
        now=now,
        workflow_id=workflow_id,
        terminal_id=terminal_id,
        transaction_id=transaction_id,
        business_date=business_date,
        details=dict(failure.details),
    )
    if resolution:
        resolve(session, [record], resolution, now)
    return record


def list_exceptions(
    session: Session, *, state: str | None = "open", store_id: str | None = None
) -> list[SyncException]:
    query = select(SyncException)
    if state:
        query = query.where(SyncException.state == state)
    if store_id:
        query = query.where(SyncException.store_id == store_id)
    return list(session.exec(query.order_by(SyncException.id)).all())  # type: ignore[arg-type]


DUPLICATE_RECOGNISED = "the till sent the booked ticket again: recognised as its duplicate"


def note_duplicate_arrival(
    session: Session,
    *,
    store_id: str,
    terminal_id: str,
    transaction_id: str,
    business_date: date,
    claimed_by: str,
    same_content: bool,
    now: datetime,
) -> SyncException | None:
    """A transaction arrived again. With other content than the ticket that holds the claim,
    the transaction's duplicate exception opens (one, counting such arrivals); with the same
    content, the till's copy is recognised as a duplicate of the booked ticket and an open
    duplicate exception resolves. Returns the open exception, if any."""
    existing = session.exec(
        select(SyncException).where(
            SyncException.kind == ExceptionKind.DUPLICATE.value,
            SyncException.state == "open",
            SyncException.store_id == store_id,
            SyncException.terminal_id == terminal_id,
            SyncException.transaction_id == transaction_id,
        )
    ).first()
    if same_content:
        if existing is not None:
            resolve(session, [existing], DUPLICATE_RECOGNISED, now)
        return None
    if existing is not None:
        arrivals = int(existing.details.get("arrivals", 1)) + 1
        existing.details = {**existing.details, "arrivals": arrivals}
        session.add(existing)
        session.flush()
        return existing
    return open_exception(
        session,
        kind=ExceptionKind.DUPLICATE,
        store_id=store_id,
        terminal_id=terminal_id,
        transaction_id=transaction_id,
        business_date=business_date,
        message="a second submission of this transaction id has different content",
        now=now,
        details={"claimed_by": claimed_by, "arrivals": 1},
    )
