"""What the anomaly flags read from the store: ticket facts of a span, stores' warehouses."""

from datetime import date

from sqlmodel import Session, select

from domain.anomalies import TicketFact
from domain.mapping import MappingKind
from store.tables import Mapping
from store.ticket_facts import facts_between


def ticket_facts(session: Session, start: date, end: date) -> list[TicketFact]:
    return [
        TicketFact(
            store_id=row.store_id,
            business_date=row.business_date,
            cashier_id=row.cashier_id,
            refund_lines=row.refund_lines,
            manual_overrides=row.manual_overrides,
            unreferenced_return_lines=row.unreferenced_return_lines,
            products=tuple(row.products),
        )
        for row in facts_between(session, start, end)
    ]


def store_warehouses(session: Session) -> dict[str, str]:
    """Each store's ERP warehouse, from its store-wide location mapping."""
    rows = session.exec(
        select(Mapping).where(Mapping.kind == MappingKind.LOCATION.value, Mapping.terminal_id == "")
    ).all()
    return {row.store_id: row.erp_code for row in rows if row.store_id}
