"""Writes in one statement on both store dialects (SQLite and PostgreSQL support
``INSERT ... ON CONFLICT``): the hot path's claim, facts and sync marks need no read first, no
savepoint and no row lock taken by a SELECT (each costs a round trip a ticket). A claim reads
the row that stands only when its insert was ignored (claim_row)."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Column, ColumnElement, CursorResult, Result, case, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select

from domain.sync_health import as_utc

RowT = TypeVar("RowT", bound=SQLModel)


def _insert(session: Session, model: type[SQLModel]) -> Any:
    table = model.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_or_ignore(
    session: Session, model: type[SQLModel], values: Mapping[str, Any], conflict: Sequence[str]
) -> bool:
    """Insert the row unless one with the same ``conflict`` columns exists; True if inserted."""
    statement = (
        _insert(session, model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict))
    )
    return rowcount(session.execute(statement)) > 0


def claim_row(session: Session, row: RowT, key: Sequence[str]) -> tuple[RowT, bool]:
    """Insert ``row`` unless one with the same ``key`` columns stands (the database's unique
    key settles races): the row that stands, and whether it is ``row``."""
    model = type(row)
    if insert_or_ignore(session, model, row.model_dump(exclude={"id"}), key):
        return row, True
    existing = find_by(session, model, {name: getattr(row, name) for name in key})
    assert existing is not None, "a row that refused the insert is there to read"
    return existing, False


def find_by(session: Session, model: type[RowT], values: Mapping[str, Any]) -> RowT | None:
    """The row whose columns hold ``values`` (a unique key's)."""
    conditions = [getattr(model, name) == value for name, value in values.items()]
    return session.exec(select(model).where(*conditions)).first()


def rowcount(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE touched (its result is a cursor's)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def upsert(
    session: Session, model: type[SQLModel], values: Mapping[str, Any], conflict: Sequence[str]
) -> None:
    """Insert the row, or update every other given column of the one already there."""
    statement = _insert(session, model).values(**values)
    updates = {name: statement.excluded[name] for name in values if name not in conflict}
    session.execute(statement.on_conflict_do_update(index_elements=list(conflict), set_=updates))


def later_of(column: Column[Any], moment: datetime) -> ColumnElement[Any]:
    """SQL for the later of the column's value (NULL: none yet) and ``moment``."""
    value = literal(as_utc(moment), type_=column.type)
    return case((column.is_(None), value), (column < value, value), else_=column)
