"""Writes in one statement on both store dialects (SQLite and PostgreSQL support
``INSERT ... ON CONFLICT``): the hot path's claim, facts and sync marks need no read first, no
savepoint and no row lock taken by a SELECT (each costs a round trip a ticket). A claim reads
the row that stands only when its insert was ignored (claim_row)."""

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Column, ColumnElement, CursorResult, Result, Table, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select

RowT = TypeVar("RowT", bound=SQLModel)


@lru_cache(maxsize=256)
def _insert(dialect: str, table: Table) -> Any:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@lru_cache(maxsize=256)
def _insert_or_ignore_statement(dialect: str, table: Table, conflict: tuple[str, ...]) -> Any:
    return _insert(dialect, table).on_conflict_do_nothing(index_elements=list(conflict))


@lru_cache(maxsize=256)
def _upsert_statement(
    dialect: str, table: Table, conflict: tuple[str, ...], update: tuple[str, ...]
) -> Any:
    statement = _insert(dialect, table)
    updates = {name: statement.excluded[name] for name in update}
    return statement.on_conflict_do_update(index_elements=list(conflict), set_=updates)


def _dialect_and_table(session: Session, model: type[SQLModel]) -> tuple[str, Table]:
    return session.get_bind().dialect.name, model.__table__  # type: ignore[attr-defined]


def insert_or_ignore(
    session: Session, model: type[SQLModel], values: Mapping[str, Any], conflict: Sequence[str]
) -> bool:
    """Insert the row unless one with the same ``conflict`` columns exists; True if inserted."""
    statement = _insert_or_ignore_statement(*_dialect_and_table(session, model), tuple(conflict))
    return rowcount(session.execute(statement, dict(values))) > 0


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
    session: Session,
    model: type[SQLModel],
    values: Mapping[str, Any],
    conflict: Sequence[str],
    *,
    update: Sequence[str] | None = None,
) -> None:
    """Insert the row, or update the ``update`` columns (default: every other given column)
    of the one already there. The statement is built once per table and columns: the values
    are its parameters."""
    columns = update if update is not None else [name for name in values if name not in conflict]
    statement = _upsert_statement(
        *_dialect_and_table(session, model), tuple(conflict), tuple(columns)
    )
    session.execute(statement, dict(values))


def later_of(column: Column[Any], moment: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL for the later of the column's value (NULL: none yet) and ``moment``."""
    return case((column.is_(None), moment), (column < moment, moment), else_=column)
