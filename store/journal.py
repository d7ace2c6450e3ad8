"""The journal: one row per transaction saying how it ended (the audit trail)."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from domain.breakdown import ticket_breakdown
from domain.erp_order import ErpOrder, ErpOrderRefs
from domain.outcomes import Outcome
from domain.periods import PostingMode
from domain.stock_ledger import order_movements
from domain.transaction import PosTransaction
from store.stock_ledger import replace_movements
from store.tables import JournalEntry
from store.upserts import upsert


def record_outcome(
    session: Session,
    txn: PosTransaction,
    *,
    outcome: Outcome,
    refs: ErpOrderRefs | None,
    now: datetime,
    note: str | None = None,
    order: ErpOrder | None = None,
    posting_mode: PostingMode | None = None,
    stock_issued: bool = False,
    booked_at: datetime | None = None,
) -> None:
    """Write (or, on a retried step, rewrite) the run's journal row, with the ticket's
    breakdown (and, given the ERP ``order`` it booked, what a daily posting needs), and the
    stock it moved: a posted ticket's, or abandoned books' whose goods were ``stock_issued``,
    as booked at ``booked_at`` (default ``now``). A rewrite keeps the ticket's identity and
    amounts as first journaled, and the ERP references when ``refs`` is None."""
    ended: dict[str, Any] = {
        "outcome": outcome.value,
        "note": note,
        "recorded_at": now,
        "breakdown": ticket_breakdown(txn, order).model_dump(mode="json"),
        "posting_mode": posting_mode.value if posting_mode else None,
    }
    if refs:
        ended |= {
            "erp_reference": refs.reference,
            "erp_sale_id": refs.sale_id,
            "erp_sale_number": refs.sale_number,
            "erp_invoice_id": refs.invoice_id,
            "erp_invoice_number": refs.invoice_number,
            "posting_date": refs.posting_date,
        }
    identity = {
        "workflow_id": txn.workflow_id,
        "transaction_id": txn.transaction_id,
        "store_id": txn.store_id,
        "terminal_id": txn.terminal_id,
        "receipt_number": txn.receipt_number,
        "business_date": txn.business_date,
        "kind": txn.kind.value,
        "status": txn.status.value,
        "currency": txn.currency,
        "net_total": txn.totals.net,
        "tax_total": txn.totals.tax,
        "gross_total": txn.totals.gross,
    }
    upsert(session, JournalEntry, identity | ended, ["workflow_id"], update=list(ended))
    abandoned = outcome is Outcome.ABANDONED and stock_issued
    if order is not None and (outcome is Outcome.POSTED or abandoned):
        replace_movements(
            session,
            txn.workflow_id,
            txn.store_id,
            txn.business_date,
            order_movements(order, abandoned=abandoned),
            booked_at or now,
        )


def find_entry(session: Session, workflow_id: str) -> JournalEntry | None:
    return session.exec(select(JournalEntry).where(JournalEntry.workflow_id == workflow_id)).first()


def find_original(
    session: Session, transaction_id: str, store_id: str, terminal_id: str | None
) -> JournalEntry | None:
    """The journal row of the sale a return points at (the terminal, when the till gave it)."""
    query = select(JournalEntry).where(
        JournalEntry.transaction_id == transaction_id, JournalEntry.store_id == store_id
    )
    if terminal_id:
        query = query.where(JournalEntry.terminal_id == terminal_id)
    return session.exec(query).first()
