"""A reconciliation over a range of dates: the POS tickets and the ERP postings grouped by
store and business day, each day reconciled (``domain.reconciliation.reconcile_day``)."""

from collections import defaultdict
from datetime import date, datetime

from domain.periods import DateRange
from domain.receipts import ReceiptGap
from domain.reconciliation import (
    ErpInvoiceFigures,
    ErpPosting,
    ExceptionNote,
    PosTicket,
    ReconciliationReport,
    reconcile_day,
)

StoreDay = tuple[str, date]

UNKNOWN_STORE = "(unknown)"
"""Where ERP postings of POS sales that the store never saw are listed."""


def invoice_posting(invoice: ErpInvoiceFigures, store: str) -> ErpPosting:
    return ErpPosting(
        reference=invoice.invoice_number or invoice.sale_reference,
        store_id=store,
        business_date=invoice.business_date,
        posting_date=invoice.posting_date,
        workflow_ids=[invoice.workflow_id],
        figures=invoice.figures,
    )


def reconcile_days(
    dates: DateRange,
    store_id: str | None,
    tickets: list[PosTicket],
    postings: list[ErpPosting],
    exceptions: dict[StoreDay, list[ExceptionNote]],
    gaps: dict[StoreDay, list[ReceiptGap]],
    generated_at: datetime,
) -> ReconciliationReport:
    tickets_by: dict[StoreDay, list[PosTicket]] = defaultdict(list)
    for ticket in tickets:
        tickets_by[(ticket.store_id, ticket.business_date)].append(ticket)
    postings_by: dict[StoreDay, list[ErpPosting]] = defaultdict(list)
    for posting in postings:
        postings_by[(posting.store_id, posting.business_date)].append(posting)
    keys = sorted({*tickets_by, *postings_by, *exceptions, *gaps}, key=lambda key: (key[1], key[0]))
    return ReconciliationReport(
        start_date=dates.start_date,
        end_date=dates.end_date,
        store_id=store_id,
        generated_at=generated_at,
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
