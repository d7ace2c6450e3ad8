"""Engines and sessions: SQLite by default, PostgreSQL by URL. Opening a store upgrades its
schema (``store.schema``: alembic migrations)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from store import all_tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from store.schema import upgrade_store


def create_store_engine(url: str) -> Engine:
    """An engine on the store at ``url``, its schema upgraded to the head revision."""
    engine = store_engine(url)
    upgrade_store(engine)
    return engine


def store_engine(url: str) -> Engine:
    """An engine on the store at ``url``, its schema as it is."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
