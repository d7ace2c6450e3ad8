"""Every module of ``store/`` that defines tables, imported so that all of them are on
``SQLModel.metadata``: the store's engine, the migrations (``store/migrations/env.py``) and the
schema check (``store.schema``) import this module, never one table module alone. A new table
module is added here (``tests/store/test_migrations.py`` fails until it is)."""

from store import (  # noqa: F401  (registers the tables on SQLModel.metadata)
    ledger_tables,
    lifecycle_tables,
    original_waiters,
    tables,
    till_tables,
)
