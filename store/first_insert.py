"""Insert a row unless one is already there, with the database's unique key settling a race:
the loser of two concurrent inserts reads the winner's row instead."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

RowT = TypeVar("RowT", bound=SQLModel)


def insert_or_find(
    session: Session, find: Callable[[], RowT | None], new_row: Callable[[], RowT]
) -> tuple[RowT, bool]:
    """The row ``find`` reads, else ``new_row()`` inserted; True when this call inserted it."""
    existing = find()
    if existing is not None:
        return existing, False
    row = new_row()
    try:
        with session.begin_nested():
            session.add(row)
        return row, True
    except IntegrityError:
        existing = find()
        if existing is None:
            raise
        return existing, False
