"""0004 turns the store's columns of ERP document ids from Tryton's integers into opaque
strings, on SQLite and PostgreSQL, and back on a downgrade."""

from alembic import command
from sqlalchemy import create_engine, text
from sqlmodel import select

from store.db import create_store_engine, session_scope
from store.schema import head_revisions, upgrade_store
from store.tables import JournalEntry
from tests.store.migrating import differences_from_the_models, migrate, upgraded_to

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
    engine = upgraded_to(empty_database_url, "0003")
    with engine.begin() as connection:
        for statement in _ERP_IDS_AS_INTEGERS:
            connection.execute(text(statement))
    engine.dispose()

    upgraded = upgrade_store(create_engine(empty_database_url))
    engine = create_store_engine(empty_database_url)

    assert (upgraded.before, upgraded.after) == (("0003",), head_revisions())
    assert differences_from_the_models(engine) == []
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
    engine = upgraded_to(empty_database_url, "0003")
    with engine.begin() as connection:
        for statement in _ERP_IDS_AS_INTEGERS:
            connection.execute(text(statement))
    engine.dispose()
    engine = upgraded_to(empty_database_url, "0004")
    migrate(engine, command.downgrade, "0003")

    with engine.connect() as connection:
        ids = connection.execute(text("SELECT erp_sale_id, erp_invoice_id FROM journal_entries"))
        assert [tuple(row) for row in ids] == [(41, 42)]
    engine.dispose()
