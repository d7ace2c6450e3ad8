"""The store's alembic migrations, on SQLite and PostgreSQL: upgrading a store from nothing
yields exactly the models' schema; a store of the release before migrations is stamped at the
baseline and upgraded with its rows; one older than that is refused untouched; processes that
open a new store at once migrate it once."""

import ast
import os
import shutil
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, Table, create_engine, inspect, text
from sqlmodel import SQLModel, select

from store.db import create_store_engine, session_scope
from store.schema import (
    BASELINE,
    BASELINE_TABLES,
    MIGRATIONS,
    PRE_MIGRATION_SCHEMAS,
    StoreSchemaError,
    head_revisions,
    migration_config,
    new_revision,
    store_revisions,
    upgrade_store,
)
from store.tables import JournalEntry, Mapping

PREVIOUS_RELEASE = Path(__file__).parents[1] / "data" / "store"
"""The DDL the release before migrations ran (its ``create_all``), per backend."""


def _differences_from_the_models(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), SQLModel.metadata))


def _revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as connection:
        return store_revisions(connection)


def _previous_release_store(url: str) -> Engine:
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


def test_upgrading_an_empty_store_yields_exactly_the_models_schema(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)

    first = upgrade_store(engine)
    again = upgrade_store(engine)

    assert (first.before, first.after, first.adopted) == ((), head_revisions(), False)
    assert (again.before, again.after) == (head_revisions(), head_revisions())
    assert _differences_from_the_models(engine) == []
    engine.dispose()


def test_a_store_of_the_previous_release_is_stamped_at_the_baseline_then_upgraded(
    empty_database_url: str,
) -> None:
    old = _previous_release_store(empty_database_url)
    assert "alembic_version" not in inspect(old).get_table_names()
    old.dispose()

    adopted = upgrade_store(create_engine(empty_database_url))
    engine = create_store_engine(empty_database_url)

    assert (adopted.before, adopted.after, adopted.adopted) == ((), head_revisions(), True)
    assert _revisions(engine) == head_revisions()
    assert _differences_from_the_models(engine) == []
    with session_scope(engine) as session:
        kept = session.exec(select(Mapping)).one()
    assert (kept.pos_code, kept.erp_code, kept.factor) == ("P1", "X1", Decimal(6))
    engine.dispose()


def test_a_store_older_than_the_previous_release_is_refused_and_left_untouched(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE journal_entries (id INTEGER PRIMARY KEY)"))

    with pytest.raises(StoreSchemaError) as refused:
        create_store_engine(empty_database_url)

    assert "journal_entries.erp_reference" in str(refused.value)
    assert "transaction_claims" in str(refused.value)
    assert set(inspect(engine).get_table_names()) == {"journal_entries"}
    engine.dispose()


def test_downgrading_to_nothing_drops_every_table_and_upgrading_again_restores_them(
    empty_database_url: str,
) -> None:
    engine = create_store_engine(empty_database_url)
    config = migration_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert _revisions(engine) == ()

    upgrade_store(engine)

    assert _differences_from_the_models(engine) == []
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
    assert _revisions(engines[0]) == head_revisions()
    assert _differences_from_the_models(engines[0]) == []
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
    config = migration_config(migrations=migrations)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert "refunds_for_test" in inspect(engine).get_table_names()
    assert _revisions(engine) == (following,)
    engine.dispose()


def test_the_db_upgrade_command_upgrades_the_configured_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _previous_release_store(url).dispose()

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
    assert _revisions(create_engine(url)) == head_revisions()


def _upgraded_to(url: str, revision: str) -> Engine:
    engine = create_engine(url)
    config = migration_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


def test_each_revision_before_migrations_creates_exactly_the_tables_added_then(
    empty_database_url: str,
) -> None:
    made: dict[str, set[str]] = {}
    for revision in PRE_MIGRATION_SCHEMAS:
        engine = _upgraded_to(empty_database_url, revision)
        made[revision] = set(inspect(engine).get_table_names()) - {"alembic_version"}
        engine.dispose()

    assert made[BASELINE] == BASELINE_TABLES
    assert made == {revision: set(tables) for revision, tables in PRE_MIGRATION_SCHEMAS.items()}
    assert made["0002"] - made[BASELINE] == {
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
    }
    assert made["0003"] - made["0002"] == {"store_sync_marks", "ticket_facts"}


@pytest.mark.parametrize("made_at", ["0002", "0003"])
def test_a_store_made_by_create_all_after_the_release_is_stamped_where_it_stands(
    empty_database_url: str, made_at: str
) -> None:
    """The development line kept adding tables with ``create_all`` until migrations came: such
    a store holds 0002's (or 0003's) tables without ``alembic_version``."""
    engine = _upgraded_to(empty_database_url, made_at)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(
            text(
                "INSERT INTO stock_changes (store_id, product_codes, cause, changed_at)"
                " VALUES ('S1', '[\"P1\"]', 'pos:S1:T1:A', '2026-11-20 09:00:00+00:00')"
            )
        )
    engine.dispose()

    adopted = upgrade_store(create_engine(empty_database_url))
    engine = create_store_engine(empty_database_url)

    assert (adopted.adopted, adopted.stamped, adopted.after) == (True, made_at, head_revisions())
    assert _differences_from_the_models(engine) == []
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT store_id, cause FROM stock_changes")).all()
    assert [tuple(row) for row in kept] == [("S1", "pos:S1:T1:A")]
    engine.dispose()


def test_a_store_with_part_of_0002s_tables_is_refused_and_left_untouched(
    empty_database_url: str,
) -> None:
    old = _previous_release_store(empty_database_url)
    with old.begin() as connection:
        connection.execute(text("CREATE TABLE stock_ledger (id INTEGER PRIMARY KEY)"))
    old.dispose()

    with pytest.raises(StoreSchemaError) as refused:
        create_store_engine(empty_database_url)

    assert "only some of the tables after 0001 (stock_ledger;" in str(refused.value)
    engine = create_engine(empty_database_url)
    assert "alembic_version" not in inspect(engine).get_table_names()
    engine.dispose()


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


_ERP_IDS_AS_INTEGERS = [
    "INSERT INTO journal_entries (workflow_id, transaction_id, store_id, terminal_id,"
    " receipt_number, business_date, kind, status, outcome, currency, net_total, tax_total,"
    " gross_total, breakdown, recorded_at, erp_reference, erp_sale_id, erp_invoice_id)"
    " VALUES ('pos:S1:T1:A', 'A', 'S1', 'T1', 1, '2026-11-20', 'sale', 'completed', 'posted',"
    " 'GBP', 10, 2, 12, '{}', '2026-11-20 09:00:00', 'pos:S1:T1:A', 41, 42)",
    "INSERT INTO consolidated_postings (batch_key, store_id, business_date, currency, state,"
    " ticket_count, gross_total, totals, created_at, erp_move_id) VALUES ('daily-S1-2026-11-20-1',"
    " 'S1', '2026-11-20', 'GBP', 'posted', 1, 12, '{}', '2026-11-21 01:00:00', 43)",
    "INSERT INTO stock_event_journal (workflow_id, event_type, event_id, store_id,"
    " business_date, outcome, recorded_at, erp_shipment_id) VALUES ('transfer:S1:E1',"
    " 'transfer_dispatch', 'E1', 'S1', '2026-11-20', 'posted', '2026-11-20 09:00:00', 44)",
]


def test_erp_ids_stored_as_integers_become_their_string_form(empty_database_url: str) -> None:
    """0004 turns the columns of ERP document ids from Tryton's integers into opaque strings,
    keeping every stored id."""
    engine = _upgraded_to(empty_database_url, "0003")
    with engine.begin() as connection:
        for statement in _ERP_IDS_AS_INTEGERS:
            connection.execute(text(statement))
    engine.dispose()

    upgraded = upgrade_store(create_engine(empty_database_url))
    engine = create_store_engine(empty_database_url)

    assert (upgraded.before, upgraded.after) == (("0003",), head_revisions())
    assert _differences_from_the_models(engine) == []
    with engine.connect() as connection:
        ids = [
            tuple(connection.execute(text(query)).one())
            for query in (
                "SELECT erp_sale_id, erp_invoice_id FROM journal_entries",
                "SELECT erp_move_id FROM consolidated_postings",
                "SELECT erp_shipment_id FROM stock_event_journal",
            )
        ]
    assert ids == [("41", "42"), ("43",), ("44",)]
    with session_scope(engine) as session:
        entry = session.exec(select(JournalEntry)).one()
    assert (entry.erp_sale_id, entry.erp_invoice_id) == ("41", "42")
    engine.dispose()


def test_a_store_downgraded_below_0004_holds_the_ids_as_integers_again(
    empty_database_url: str,
) -> None:
    engine = _upgraded_to(empty_database_url, "0003")
    with engine.begin() as connection:
        for statement in _ERP_IDS_AS_INTEGERS:
            connection.execute(text(statement))
    engine.dispose()
    engine = _upgraded_to(empty_database_url, "0004")
    config = migration_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")

    with engine.connect() as connection:
        ids = connection.execute(text("SELECT erp_sale_id, erp_invoice_id FROM journal_entries"))
        assert [tuple(row) for row in ids] == [(41, 42)]
    engine.dispose()
