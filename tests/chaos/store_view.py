"""The store's journal and open exceptions, read with SQL from its PostgreSQL database."""

from collections import defaultdict

from sqlalchemy import create_engine, text

from tests.chaos.invariant import StoreView


def read_store(url: str) -> StoreView:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            journal: dict[str, str] = dict(
                connection.execute(text("SELECT workflow_id, outcome FROM journal_entries")).all()
            )
            exceptions: dict[str, list[str]] = defaultdict(list)
            notes: dict[str, list[str]] = defaultdict(list)
            for workflow_id, kind, message in connection.execute(
                text(
                    "SELECT workflow_id, kind, message FROM sync_exceptions WHERE state = 'open'"
                    " ORDER BY id"
                )
            ):
                if workflow_id:
                    exceptions[workflow_id].append(kind)
                    notes[workflow_id].append(f"{kind}: {message}")
            claimed = {
                row[0]
                for row in connection.execute(text("SELECT workflow_id FROM transaction_claims"))
            }
    finally:
        engine.dispose()
    return StoreView(
        journal=journal, open_exceptions=dict(exceptions), claimed=claimed, notes=dict(notes)
    )
