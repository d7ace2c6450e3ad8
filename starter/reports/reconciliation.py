"""A business day's reconciliation, POS against ERP, for ``tillsync reconcile``, ``tillsync
kpi`` and the sync-health page."""

from datetime import date

from activities.finance import build_reconciliation
from connectors.erp.factory import create_books
from domain.periods import DateRange
from domain.reconciliation import ReconciliationReport
from domain.settings import Settings
from store.db import create_store_engine


async def reconcile_day(
    settings: Settings, day: date, store_id: str | None
) -> ReconciliationReport:
    books = create_books(settings)
    try:
        return await build_reconciliation(
            create_store_engine(settings.resolved_store_url),
            books,
            DateRange(start_date=day, end_date=day),
            store_id,
        )
    finally:
        await books.aclose()
