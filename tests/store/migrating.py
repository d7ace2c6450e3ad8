"""Stores at a given revision, or as an earlier release left them, for the migrations' tests."""

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlmodel import SQLModel

from store.schema import migration_config, store_revisions

PREVIOUS_RELEASE = Path(__file__).parents[1] / "data" / "store"
"""The DDL the release before migrations ran (its ``create_all``), per backend."""


def differences_from_the_models(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), SQLModel.metadata))


def revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as connection:
        return store_revisions(connection)


def previous_release_store(url: str) -> Engine:
    engine = create_engine(url)
    script = (PREVIOUS_RELEASE / f"previous_release.{engine.dialect.name}.sql").read_text()
    statements = [part for part in script.split(";") if part.strip()]
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
        connection.execute(
            text(
                "INSERT INTO mappings (kind, store_id, terminal_id, pos_code, erp_code, factor)"
                " VALUES ('sku', '', '', 'P1', 'X1', 6)"
            )
        )
    return engine


def migrate(
    engine: Engine,
    step: Callable[[Config, str], None],
    revision: str,
    config: Config | None = None,
) -> None:
    """Run alembic's ``step`` (command.upgrade or command.downgrade) to ``revision``."""
    config = config or migration_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        step(config, revision)


def upgraded_to(url: str, revision: str) -> Engine:
    engine = create_engine(url)
    migrate(engine, command.upgrade, revision)
    return engine
