"""Build a reconciliation: the store's POS side against what the ERP holds, per store and day.

Used by the period close (as an activity) and by ``tillsync reconcile`` (directly).
"""

import asyncio
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import Engine

from connectors.erp.base import ErpBooks
from domain.periods import DateRange
from domain.receipts import ReceiptGap
from domain.reconciliation import (
    ErpInvoiceFigures,
    ErpMoveFigures,
    ErpPosting,
    ExceptionNote,
    PosTicket,
    ReconciliationReport,
    reconcile_day,
)
from store.consolidations import POSTED, batches_between
from store.db import session_scope
from store.reconciliation import (
    StoreDayKey,
    open_exception_notes,
    posted_tickets,
    receipt_gaps,
    workflow_stores,
)
from store.tables import ConsolidatedPosting

UNKNOWN_STORE = "(unknown)"
"""Where ERP postings of POS sales that this store never saw are listed."""


class _PosSide:
    """What the store knows about the dates."""

    def __init__(self, engine: Engine, dates: DateRange, store_id: str | None) -> None:
        with session_scope(engine) as session:
            self.tickets = posted_tickets(session, dates.start_date, dates.end_date, store_id)
            self.exceptions = open_exception_notes(
                session, dates.start_date, dates.end_date, store_id
            )
            self.gaps = receipt_gaps(session, dates.start_date, dates.end_date, store_id)
            self.batches = batches_between(session, dates.start_date, dates.end_date, store_id)
        self._engine = engine

    def stores_of(self, workflow_ids: list[str]) -> dict[str, str]:
        with session_scope(self._engine) as session:
            return workflow_stores(session, workflow_ids)


async def build_reconciliation(
    engine: Engine, books: ErpBooks, dates: DateRange, store_id: str | None = None
) -> ReconciliationReport:
    pos = await asyncio.to_thread(_PosSide, engine, dates, store_id)
    invoices = await books.posted_invoices(dates.start_date, dates.end_date)
    moves = await books.consolidated_moves(
        [row.erp_move_id for row, _ in pos.batches if row.erp_move_id is not None]
    )
    stores = await asyncio.to_thread(pos.stores_of, [invoice.workflow_id for invoice in invoices])
    postings = [
        _invoice_posting(invoice, stores.get(invoice.workflow_id, UNKNOWN_STORE))
        for invoice in invoices
    ]
    postings = [posting for posting in postings if store_id in (None, posting.store_id)]
    postings += _batch_postings(pos.batches, {move.move_id: move for move in moves})
    return _report(dates, store_id, pos.tickets, postings, pos.exceptions, pos.gaps)


def _invoice_posting(invoice: ErpInvoiceFigures, store: str) -> ErpPosting:
    return ErpPosting(
        reference=invoice.invoice_number or invoice.sale_reference,
        store_id=store,
        business_date=invoice.business_date,
        posting_date=invoice.posting_date,
        workflow_ids=[invoice.workflow_id],
        figures=invoice.figures,
    )


def _batch_postings(
    batches: list[tuple[ConsolidatedPosting, list[str]]], moves: dict[str, ErpMoveFigures]
) -> list[ErpPosting]:
    """The consolidated postings the ERP holds posted (a missing or draft one books nothing)."""
    postings: list[ErpPosting] = []
    for row, workflow_ids in batches:
        move = moves.get(row.erp_move_id) if row.erp_move_id is not None else None
        if row.state != POSTED or move is None or not move.posted:
            continue
        postings.append(
            ErpPosting(
                reference=move.number or row.batch_key,
                store_id=row.store_id,
                business_date=row.business_date,
                posting_date=move.posting_date,
                workflow_ids=workflow_ids,
                figures=move.figures.model_copy(update={"count": len(workflow_ids)}),
            )
        )
    return postings


def _report(
    dates: DateRange,
    store_id: str | None,
    tickets: list[PosTicket],
    postings: list[ErpPosting],
    exceptions: dict[StoreDayKey, list[ExceptionNote]],
    gaps: dict[StoreDayKey, list[ReceiptGap]],
) -> ReconciliationReport:
    tickets_by: dict[StoreDayKey, list[PosTicket]] = defaultdict(list)
    for ticket in tickets:
        tickets_by[(ticket.store_id, ticket.business_date)].append(ticket)
    postings_by: dict[StoreDayKey, list[ErpPosting]] = defaultdict(list)
    for posting in postings:
        postings_by[(posting.store_id, posting.business_date)].append(posting)
    keys = sorted({*tickets_by, *postings_by, *exceptions, *gaps}, key=lambda key: (key[1], key[0]))
    return ReconciliationReport(
        start_date=dates.start_date,
        end_date=dates.end_date,
        store_id=store_id,
        generated_at=datetime.now(UTC),
        days=[
            reconcile_day(
                store,
                day,
                tickets_by[(store, day)],
                postings_by[(store, day)],
                exceptions.get((store, day), []),
                gaps.get((store, day), []),
            )
            for store, day in keys
        ],
    )
