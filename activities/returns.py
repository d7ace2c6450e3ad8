"""Returns: find the original sales a return points at, in the store's journal."""

from pydantic import BaseModel, Field
from sqlalchemy import Engine
from temporalio import activity

from domain.outcomes import Outcome
from domain.transaction import PosTransaction
from store.db import session_scope
from store.journal import find_original


class OriginalsLookup(BaseModel):
    """For each original transaction id a return refers to: its final ERP reference, or
    nothing yet (not arrived, or not posted: an offline till may replay out of order)."""

    references: dict[str, str] = Field(default_factory=dict)
    pending: list[str] = Field(default_factory=list)


class ReturnActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="returns.find_originals")
    def find_originals(self, txn: PosTransaction) -> OriginalsLookup:
        lookup = OriginalsLookup()
        wanted = {
            (line.return_of.transaction_id, line.return_of.store_id, line.return_of.terminal_id)
            for line in txn.lines
            if line.return_of is not None
        }
        with session_scope(self._engine) as session:
            for transaction_id, store_id, terminal_id in sorted(wanted, key=str):
                entry = find_original(
                    session, transaction_id, store_id or txn.store_id, terminal_id
                )
                if entry and entry.outcome == Outcome.POSTED.value and entry.erp_reference:
                    lookup.references[transaction_id] = entry.erp_reference
                else:
                    lookup.pending.append(transaction_id)
        return lookup
