"""Stores made before migrations, on SQLite and PostgreSQL: one of the previous release is
stamped at the baseline and upgraded with its rows; one the development line made with
``create_all`` is stamped where it stands; one older than the release, or holding only part of
a revision's tables, is refused untouched."""

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlmodel import select

from store.db import create_store_engine, session_scope
from store.schema import (
    BASELINE,
    BASELINE_TABLES,
    PRE_MIGRATION_SCHEMAS,
    StoreSchemaError,
    head_revisions,
    upgrade_store,
)
from store.tables import Mapping
from tests.store.migrating import (
    differences_from_the_models,
    previous_release_store,
    revisions,
    upgraded_to,
)


def test_a_store_of_the_previous_release_is_stamped_at_the_baseline_then_upgraded(
    empty_database_url: str,
) -> None:
    old = previous_release_store(empty_database_url)
    assert "alembic_version" not in inspect(old).get_table_names()
    old.dispose()

    adopted = upgrade_store(create_engine(empty_database_url))
    engine = create_store_engine(empty_database_url)

    assert (adopted.before, adopted.after, adopted.adopted) == ((), head_revisions(), True)
    assert revisions(engine) == head_revisions()
    assert differences_from_the_models(engine) == []
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


def test_each_revision_before_migrations_creates_exactly_the_tables_added_then(
    empty_database_url: str,
) -> None:
    made: dict[str, set[str]] = {}
    for revision in PRE_MIGRATION_SCHEMAS:
        engine = upgraded_to(empty_database_url, revision)
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
    engine = upgraded_to(empty_database_url, made_at)
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
    assert differences_from_the_models(engine) == []
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT store_id, cause FROM stock_changes")).all()
    assert [tuple(row) for row in kept] == [("S1", "pos:S1:T1:A")]
    engine.dispose()


def test_a_store_with_part_of_0002s_tables_is_refused_and_left_untouched(
    empty_database_url: str,
) -> None:
    old = previous_release_store(empty_database_url)
    with old.begin() as connection:
        connection.execute(text("CREATE TABLE stock_ledger (id INTEGER PRIMARY KEY)"))
    old.dispose()

    with pytest.raises(StoreSchemaError) as refused:
        create_store_engine(empty_database_url)

    assert "only some of the tables after 0001 (stock_ledger;" in str(refused.value)
    engine = create_engine(empty_database_url)
    assert "alembic_version" not in inspect(engine).get_table_names()
    engine.dispose()
