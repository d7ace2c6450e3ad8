"""The store's schema, kept by alembic migrations (``store/migrations/versions``).

``create_store_engine`` upgrades every store it opens (so do ``tillsync dev`` and ``tillsync
db upgrade``): a new, empty store is upgraded from nothing; a store of the release before
migrations (its tables, no ``alembic_version``) is stamped at the baseline, then upgraded; a
store already at the head costs one query. One process migrates at a time (a PostgreSQL
advisory lock; SQLite's write lock), and a migration commits whole or not at all.

To change the schema (a new table, a new column, an index):

1. change the SQLModel classes in ``store/tables.py`` (a table defined in another module of
   ``store/`` must be imported by ``store/all_tables.py``, so that it is on
   ``SQLModel.metadata``);
2. ``tillsync db revision "add the refunds table"`` writes the next revision,
   ``store/migrations/versions/NNNN_add_the_refunds_table.py``, from the differences between
   the models and a store at the head (alembic's autogenerate, in batch mode so that SQLite
   can alter tables). Read it: give a new NOT NULL column of an existing table a
   ``server_default`` (or fill it), move data where a column changes meaning;
3. ``pytest tests/store/test_migrations.py`` proves that upgrading a store from nothing, and
   from the previous release, yields exactly the models' schema on SQLite and PostgreSQL.

A released revision is never edited: the next change is a new revision.
"""

import importlib.util
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.operations.ops import MigrationScript
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlmodel import SQLModel

from store import all_tables  # noqa: F401  (registers the tables on SQLModel.metadata)

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
"""The schema of the release before migrations: what its ``create_all`` made."""
BASELINE_TABLES = frozenset(
    {
        "transaction_claims",
        "duplicate_submissions",
        "journal_entries",
        "sync_exceptions",
        "mappings",
        "receipts_seen",
        "period_closes",
        "consolidated_postings",
    }
)
PRE_MIGRATION_SCHEMAS: dict[str, frozenset[str]] = {
    BASELINE: BASELINE_TABLES,
    "0002": BASELINE_TABLES
    | {
        "exception_acknowledgements",
        "exception_assignments",
        "exception_comments",
        "available_to_sell",
        "erp_item_mappings",
        "published_records",
        "till_publications",
        "stock_event_claims",
        "stock_event_journal",
        "stock_changes",
        "stock_ledger",
    },
}
PRE_MIGRATION_SCHEMAS["0003"] = PRE_MIGRATION_SCHEMAS["0002"] | {"store_sync_marks", "ticket_facts"}
"""The schemas ``create_all`` made before migrations, by the revision each equals: the release
(0001), then the development line until migrations came (its tables, made the same way, are
0002's, then with the metrics' two 0003's).
A store without ``alembic_version`` is stamped at the newest one whose tables it holds."""
_MIGRATION_LOCK = 0x7111_5ADC  # any constant: PostgreSQL's advisory lock id for migrations


class StoreSchemaError(RuntimeError):
    """The store's tables are not a schema tillsync knows how to upgrade."""


@dataclass(frozen=True)
class Upgrade:
    before: tuple[str, ...]
    """The store's revisions before: none for a new store or one of the previous release."""
    after: tuple[str, ...]
    adopted: bool
    """The store was made before migrations (tables, no ``alembic_version``)."""
    stamped: str = ""
    """The revision an adopted store was stamped at before upgrading."""


def migration_config(url: str = "", migrations: Path = MIGRATIONS) -> Config:
    """alembic's configuration for the store's migrations, without an ``alembic.ini``."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def head_revisions() -> tuple[str, ...]:
    return tuple(sorted(ScriptDirectory.from_config(migration_config()).get_heads()))


def store_revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def upgrade_store(engine: Engine) -> Upgrade:
    """Bring the store to the head revision (see the module's docstring)."""
    with engine.connect() as connection:
        before = store_revisions(connection)
    if before == head_revisions():  # the usual case, without taking the migration lock
        return Upgrade(before=before, after=before, adopted=False)
    with engine.begin() as connection:
        _take_migration_lock(connection)
        before = store_revisions(connection)
        if before == head_revisions():  # another process migrated it meanwhile
            return Upgrade(before=before, after=before, adopted=False)
        config = migration_config()
        config.attributes["connection"] = connection
        present = set(inspect(connection).get_table_names())
        adopted = not before and bool(BASELINE_TABLES & present)
        stamped = _adoption_revision(present, engine) if adopted else ""
        if stamped:
            command.stamp(config, stamped)
        command.upgrade(config, "head")
        if adopted:
            _check_adopted(connection, engine)
        return Upgrade(
            before=before, after=store_revisions(connection), adopted=adopted, stamped=stamped
        )


def describe_upgrade(engine: Engine, upgrade: Upgrade) -> str:
    where = engine.url.render_as_string(hide_password=True)
    now = ", ".join(upgrade.after)
    if upgrade.before == upgrade.after:
        return f"{where}: at the head revision {now}; nothing to do"
    if upgrade.adopted:
        was = f"made before migrations, stamped at {upgrade.stamped}"
    else:
        was = ", ".join(upgrade.before) or "a new store"
    return f"{where}: upgraded to {now} (was {was})"


def _take_migration_lock(connection: Connection) -> None:
    """Hold the store's migration lock until the transaction ends: a second process opening
    the store meanwhile waits, then finds it at the head."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    elif connection.dialect.name == "sqlite":
        # pysqlite begins no transaction before DDL: begin one that holds the write lock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _adoption_revision(present: set[str], engine: Engine) -> str:
    """The newest pre-migration schema whose tables the store holds; a store holding only part
    of a newer one's tables is refused (its upgrade would create tables it has)."""
    held = [revision for revision, tables in PRE_MIGRATION_SCHEMAS.items() if tables <= present]
    stamped = max(held, default=BASELINE)
    newer = set().union(*PRE_MIGRATION_SCHEMAS.values()) - PRE_MIGRATION_SCHEMAS[stamped]
    if newer & present:
        raise StoreSchemaError(
            f"{engine.url.render_as_string(hide_password=True)} has no alembic_version and only"
            f" some of the tables after {stamped} ({', '.join(sorted(newer & present))}; lacks"
            f" {', '.join(sorted(newer - present))}): start a new store"
        )
    return stamped


def _check_adopted(connection: Connection, engine: Engine) -> None:
    """A store without ``alembic_version`` is the previous release's only if, stamped at the
    baseline and upgraded, it holds every table and column of the models."""
    context = MigrationContext.configure(connection)
    missing = [
        _named(difference)
        for difference in compare_metadata(context, SQLModel.metadata)
        if isinstance(difference, tuple) and difference[0] in ("add_table", "add_column")
    ]
    if missing:
        raise StoreSchemaError(
            f"{engine.url.render_as_string(hide_password=True)} has tillsync's tables but no"
            f" alembic_version, and lacks {', '.join(missing)}: it predates the release before"
            " migrations (open it once with that release, which adds them), or start a new store"
        )


def _named(difference: tuple[Any, ...]) -> str:
    if difference[0] == "add_table":
        return str(difference[1].name)
    _, _schema, table, column = difference
    return f"{table}.{column.name}"


def new_revision(message: str, migrations: Path = MIGRATIONS) -> Path | None:
    """Write the next revision into ``migrations``: what takes a store at the head to the
    models (alembic's autogenerate, against a scratch SQLite store). None when the models
    match the head."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'head.db'}")
        upgrade_store(engine)
        config = migration_config(migrations=migrations)
        _format_new_revisions(config)
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            config.attributes["process_revision_directives"] = _skip_if_empty
            revision = command.revision(
                config,
                message=message,
                autogenerate=True,
                rev_id=f"{len(_revision_ids(config)) + 1:04d}",
            )
        engine.dispose()
    scripts = revision if isinstance(revision, list) else [revision]
    return Path(scripts[0].path) if scripts and scripts[0] is not None else None


def _revision_ids(config: Config) -> list[str]:
    return [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]


def _skip_if_empty(_context: Any, _revision: Any, directives: list[MigrationScript]) -> None:
    if all(script.upgrade_ops is None or script.upgrade_ops.is_empty() for script in directives):
        directives[:] = []


def _format_new_revisions(config: Config) -> None:
    """Run ruff over a new revision where it is installed (the dev extra)."""
    if importlib.util.find_spec("ruff") is None:
        return
    hooks: Sequence[tuple[str, str]] = (
        ("ruff_format", "format --quiet REVISION_SCRIPT_FILENAME"),
        ("ruff_fix", "check --fix --quiet REVISION_SCRIPT_FILENAME"),
        ("ruff_format_again", "format --quiet REVISION_SCRIPT_FILENAME"),
    )
    config.set_section_option("post_write_hooks", "hooks", ", ".join(name for name, _ in hooks))
    for name, options in hooks:
        config.set_section_option("post_write_hooks", f"{name}.type", "module")
        config.set_section_option("post_write_hooks", f"{name}.module", "ruff")
        config.set_section_option("post_write_hooks", f"{name}.options", options)
