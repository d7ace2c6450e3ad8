"""An exception's life after it opened: who acknowledged it, to whom it is assigned, and the
notes operators left. Tables of their own: sync_exceptions keeps its columns."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

NOTE_MAX_CHARS = 2000


class ExceptionAcknowledgement(SQLModel, table=True):
    """An operator has seen the exception and is on it (once; a later one replaces it)."""

    __tablename__ = "exception_acknowledgements"
    __table_args__ = (UniqueConstraint("exception_id"),)

    id: int | None = Field(default=None, primary_key=True)
    exception_id: int = Field(description="sync_exceptions.id")
    operator: str = Field(max_length=64)
    at: datetime


class ExceptionAssignment(SQLModel, table=True):
    """The operator the exception is assigned to (the latest assignment wins)."""

    __tablename__ = "exception_assignments"
    __table_args__ = (UniqueConstraint("exception_id"),)

    id: int | None = Field(default=None, primary_key=True)
    exception_id: int = Field(description="sync_exceptions.id")
    assignee: str = Field(max_length=64)
    assigned_by: str = Field(max_length=64)
    at: datetime


class ExceptionComment(SQLModel, table=True):
    """A note an operator left on the exception: append-only."""

    __tablename__ = "exception_comments"

    id: int | None = Field(default=None, primary_key=True)
    exception_id: int = Field(index=True, description="sync_exceptions.id")
    author: str = Field(max_length=64)
    text: str = Field(max_length=NOTE_MAX_CHARS)
    at: datetime
