"""The store's alembic migrations, on SQLite and PostgreSQL: upgrading a store from nothing
yields exactly the models' schema, and downgrading to nothing undoes it; processes that open a
new store at once migrate it once; a new revision holds what the models add. Stores made before
migrations: test_pre_migration_stores.py; 0004's ERP ids: test_migration_of_erp_ids.py."""

import ast
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from alembic import command
from sqlalchemy import Column, Engine, Integer, Table, create_engine, inspect
from sqlmodel import SQLModel

from store.db import create_store_engine
from store.schema import (
    MIGRATIONS,
    PRE_MIGRATION_SCHEMAS,
    head_revisions,
    migration_config,
    new_revision,
    upgrade_store,
)
from tests.store.migrating import (
    differences_from_the_models,
    migrate,
    previous_release_store,
    revisions,
)


def test_upgrading_an_empty_store_yields_exactly_the_models_schema(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)

    first = upgrade_store(engine)
    again = upgrade_store(engine)

    assert (first.before, first.after, first.adopted) == ((), head_revisions(), False)
    assert (again.before, again.after) == (head_revisions(), head_revisions())
    assert differences_from_the_models(engine) == []
    engine.dispose()


def test_downgrading_to_nothing_drops_every_table_and_upgrading_again_restores_them(
    empty_database_url: str,
) -> None:
    engine = create_store_engine(empty_database_url)
    migrate(engine, command.downgrade, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert revisions(engine) == ()

    upgrade_store(engine)

    assert differences_from_the_models(engine) == []
    engine.dispose()


def test_processes_opening_a_new_store_at_once_migrate_it_once(empty_database_url: str) -> None:
    openers = 4
    barrier = threading.Barrier(openers)
    failures: list[BaseException] = []
    engines: list[Engine] = []

    def open_store() -> None:
        engine = create_engine(empty_database_url, connect_args=_wait_for_locks(empty_database_url))
        engines.append(engine)
        barrier.wait()
        try:
            upgrade_store(engine)
        except BaseException as error:  # collected: a thread's exception would be lost
            failures.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert revisions(engines[0]) == head_revisions()
    assert differences_from_the_models(engines[0]) == []
    for engine in engines:
        engine.dispose()


def _wait_for_locks(url: str) -> dict[str, object]:
    return {"timeout": 30} if url.startswith("sqlite") else {}


def test_a_new_revision_holds_what_the_models_have_beyond_the_head(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    assert new_revision("nothing changed", migrations) is None

    added = Table("refunds_for_test", SQLModel.metadata, Column("id", Integer, primary_key=True))
    try:
        written = new_revision("add the refunds table", migrations)
    finally:
        SQLModel.metadata.remove(added)

    [head] = head_revisions()
    following = f"{int(head) + 1:04d}"
    assert written is not None
    assert written.parent == migrations / "versions"
    assert written.name == f"{following}_add_the_refunds_table.py"
    assert f'down_revision: str | Sequence[str] | None = "{head}"' in written.read_text()
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine, command.upgrade, "head", migration_config(migrations=migrations))
    assert "refunds_for_test" in inspect(engine).get_table_names()
    assert revisions(engine) == (following,)
    engine.dispose()


def test_the_db_upgrade_command_upgrades_the_configured_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    previous_release_store(url).dispose()

    said = subprocess.run(
        [sys.executable, "-m", "starter.cli.app", "db", "upgrade"],
        cwd=Path(__file__).parents[2],
        env={**os.environ, "TILLSYNC_STORE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    head = ", ".join(head_revisions())
    assert said == f"{url}: upgraded to {head} (was made before migrations, stamped at 0001)\n"
    assert revisions(create_engine(url)) == head_revisions()


def test_every_table_module_of_the_store_is_on_the_migrations_metadata() -> None:
    """``store/all_tables.py`` imports each module of ``store/`` that defines a table: the
    engine, the migrations and the schema check see the same tables."""
    store = Path(__file__).parents[2] / "store"
    defining = {path.stem for path in store.glob("*.py") if "table=True" in path.read_text()}
    imported = {
        alias.name
        for node in ast.walk(ast.parse((store / "all_tables.py").read_text()))
        if isinstance(node, ast.ImportFrom) and node.module == "store"
        for alias in node.names
    }
    assert defining == imported
    declared = set().union(*PRE_MIGRATION_SCHEMAS.values())
    assert declared <= set(SQLModel.metadata.tables)
