"""What the stock-event tests read back from the store: exceptions, journal, stock changes."""

from typing import Any

from sqlalchemy import Engine

from domain.stock_ledger import LedgerMovement
from store.db import session_scope
from store.exceptions import list_exceptions
from store.stock_events import find_stock_event, stock_changes
from store.stock_ledger import ledger_movements


def exceptions_of(engine: Engine, workflow_id: str) -> dict[str, dict[str, Any]]:
    """The run's exceptions by kind: owner, message, details, state."""
    with session_scope(engine) as session:
        return {
            record.kind: {
                "owner": record.owner,
                "message": record.message,
                "details": record.details,
                "state": record.state,
            }
            for record in list_exceptions(session, state=None)
            if record.workflow_id == workflow_id
        }


def journaled(engine: Engine, workflow_id: str) -> dict[str, Any]:
    with session_scope(engine) as session:
        record = find_stock_event(session, workflow_id)
        assert record is not None, f"{workflow_id} is not journaled"
        return record.model_dump()


def changes_caused_by(engine: Engine, store_id: str, workflow_id: str) -> list[list[str]]:
    with session_scope(engine) as session:
        return [
            change.product_codes
            for change in stock_changes(session, store_id)
            if change.cause == workflow_id
        ]


def movements_of(engine: Engine, workflow_id: str) -> list[LedgerMovement]:
    with session_scope(engine) as session:
        return ledger_movements(session, workflow_ids=[workflow_id])
