"""Store engines for tests: SQLite in a temp folder, and a fresh PostgreSQL database."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from store.db import create_store_engine

POSTGRES_ADMIN_URL = os.environ.get(
    "TILLSYNC_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def open_store(url: str) -> Iterator[Engine]:
    """The store at ``url`` (migrated) for the length of a ``with``, disposed after."""
    engine = create_store_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def throwaway_postgres_database() -> Iterator[str]:
    """The URL of a new, empty database on the machine's PostgreSQL, dropped afterwards."""
    name = f"tillsync_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of our own on the machine's PostgreSQL, for the whole session."""
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each supported backend, for one test (no store in it yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_engine(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str
) -> Iterator[Engine]:
    """The store on each supported backend, empty for every test."""
    if request.param == "sqlite":
        engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        engine = create_store_engine(postgres_url)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "TRUNCATE transaction_claims, duplicate_submissions, journal_entries,"
                    " sync_exceptions, mappings, exception_acknowledgements,"
                    " exception_assignments, exception_comments, ticket_facts,"
                    " store_sync_marks, receipts_seen, stock_ledger, stock_snapshots,"
                    " original_waiters"
                    " RESTART IDENTITY"
                )
            )
    yield engine
    engine.dispose()
