"""The facts of journaled tickets (domain.ticket_facts), one row per run."""

from datetime import date

from sqlmodel import Session

from domain.ticket_facts import TicketFactsRecord
from store.tables import TicketFacts
from store.upserts import upsert


def record_facts(
    session: Session,
    *,
    workflow_id: str,
    store_id: str,
    business_date: date,
    outcome: str,
    facts: TicketFactsRecord,
) -> None:
    """The ticket's facts, replaced when its run is journaled again (a retried step)."""
    values = {
        "workflow_id": workflow_id,
        "store_id": store_id,
        "business_date": business_date,
        "outcome": outcome,
        "cashier_id": facts.cashier_id,
        "occurred_at": facts.occurred_at,
        "refund_lines": facts.refund_lines,
        "manual_overrides": facts.manual_overrides,
        "unreferenced_return_lines": facts.unreferenced_return_lines,
        "products": facts.products,
    }
    upsert(session, TicketFacts, values, ["workflow_id"])
