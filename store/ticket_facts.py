"""The facts of journaled tickets (domain.ticket_facts), one row per run."""

from datetime import date

from sqlmodel import Session, col, select

from domain.ticket_facts import TicketFactsRecord
from store.tables import TicketFacts


def record_facts(
    session: Session,
    *,
    workflow_id: str,
    store_id: str,
    business_date: date,
    outcome: str,
    facts: TicketFactsRecord,
) -> None:
    row = session.exec(select(TicketFacts).where(TicketFacts.workflow_id == workflow_id)).first()
    row = row or TicketFacts(
        workflow_id=workflow_id,
        store_id=store_id,
        business_date=business_date,
        occurred_at=facts.occurred_at,
        outcome=outcome,
    )
    row.outcome = outcome
    row.cashier_id = facts.cashier_id
    row.occurred_at = facts.occurred_at
    row.refund_lines = facts.refund_lines
    row.manual_overrides = facts.manual_overrides
    row.unreferenced_return_lines = facts.unreferenced_return_lines
    row.products = facts.products
    session.add(row)


def facts_between(session: Session, start: date, end: date) -> list[TicketFacts]:
    query = select(TicketFacts).where(
        TicketFacts.business_date >= start, TicketFacts.business_date <= end
    )
    return list(session.exec(query.order_by(col(TicketFacts.id))).all())
