"""The exception queue as the store holds it: open exceptions by kind and store, and their
acknowledgements, assignments and notes (store.lifecycle_tables)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from store.lifecycle_tables import (
    NOTE_MAX_CHARS,
    ExceptionAcknowledgement,
    ExceptionAssignment,
    ExceptionComment,
)
from store.tables import SyncException


@dataclass
class Comment:
    author: str
    text: str
    at: datetime


@dataclass
class Lifecycle:
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    assignee: str | None = None
    comments: list[Comment] = field(default_factory=list)


def find_exceptions(
    session: Session,
    *,
    kinds: Sequence[str],
    store_id: str | None = None,
    ids: Sequence[int] = (),
    state: str = "open",
    limit: int = 500,
) -> list[SyncException]:
    """Exceptions of ``kinds`` in ``state`` (of ``store_id``, among ``ids`` when given),
    oldest first, at most ``limit``."""
    query = select(SyncException).where(
        SyncException.state == state, col(SyncException.kind).in_(list(kinds))
    )
    if store_id:
        query = query.where(SyncException.store_id == store_id)
    if ids:
        query = query.where(col(SyncException.id).in_(list(ids)))
    return list(session.exec(query.order_by(col(SyncException.id)).limit(limit)).all())


def find_exception(session: Session, exception_id: int) -> SyncException | None:
    return session.get(SyncException, exception_id)


def lifecycles(session: Session, exception_ids: Sequence[int]) -> dict[int, Lifecycle]:
    found: dict[int, Lifecycle] = {number: Lifecycle() for number in exception_ids}
    if not exception_ids:
        return found
    for ack in session.exec(
        select(ExceptionAcknowledgement).where(
            col(ExceptionAcknowledgement.exception_id).in_(exception_ids)
        )
    ).all():
        found[ack.exception_id].acknowledged_by = ack.operator
        found[ack.exception_id].acknowledged_at = ack.at
    for assignment in session.exec(
        select(ExceptionAssignment).where(col(ExceptionAssignment.exception_id).in_(exception_ids))
    ).all():
        found[assignment.exception_id].assignee = assignment.assignee
    for comment in session.exec(
        select(ExceptionComment)
        .where(col(ExceptionComment.exception_id).in_(exception_ids))
        .order_by(col(ExceptionComment.id))
    ).all():
        found[comment.exception_id].comments.append(
            Comment(author=comment.author, text=comment.text, at=comment.at)
        )
    return found


def acknowledge(session: Session, exception_id: int, operator: str, now: datetime) -> None:
    row = session.exec(
        select(ExceptionAcknowledgement).where(
            ExceptionAcknowledgement.exception_id == exception_id
        )
    ).first() or ExceptionAcknowledgement(exception_id=exception_id, operator=operator, at=now)
    row.operator, row.at = operator, now
    session.add(row)
    session.flush()


def assign(session: Session, exception_id: int, assignee: str, by: str, now: datetime) -> None:
    row = session.exec(
        select(ExceptionAssignment).where(ExceptionAssignment.exception_id == exception_id)
    ).first() or ExceptionAssignment(
        exception_id=exception_id, assignee=assignee, assigned_by=by, at=now
    )
    row.assignee, row.assigned_by, row.at = assignee, by, now
    session.add(row)
    session.flush()


def add_comment(session: Session, exception_id: int, author: str, text: str, now: datetime) -> None:
    """Append a note (cut to ``NOTE_MAX_CHARS``)."""
    session.add(
        ExceptionComment(
            exception_id=exception_id, author=author, text=text[:NOTE_MAX_CHARS], at=now
        )
    )
    session.flush()
