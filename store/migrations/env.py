"""alembic's entry point for the store's migrations; ``store.schema`` runs it with the
connection of the store it upgrades (see there how to add a migration)."""

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from store import all_tables  # noqa: F401  (registers the tables on SQLModel.metadata)


def render_item(kind: str, item: Any, autogen_context: Any) -> str | Literal[False]:
    """Write sqlmodel's own types (``AutoString``, ``UTCDateTime``) in new revisions as the
    SQLAlchemy types they store as, so that no revision depends on sqlmodel's internals."""
    if (
        kind == "type"
        and isinstance(item, TypeDecorator)
        and type(item).__module__.startswith("sqlmodel.")
    ):
        return f"sa.{item.impl!r}"
    return False


def migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        # SQLite alters a table by copying it: alembic's batch mode writes that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
        # `tillsync db revision` writes no revision when nothing changed.
        process_revision_directives=context.config.attributes.get("process_revision_directives"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    shared: Connection | None = context.config.attributes.get("connection")
    if shared is not None:
        migrate(shared)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no store to migrate: set sqlalchemy.url or pass a connection")
    with create_engine(url).begin() as connection:
        migrate(connection)


run()
