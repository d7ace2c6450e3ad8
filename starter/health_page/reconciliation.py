"""The day's reconciliation (``/reconciliation``): POS against ERP per store, differences and
the tickets behind them, open exceptions and receipt gaps."""

import asyncio
from datetime import UTC, date, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, func
from sqlmodel import select

from domain.exception_routing import owner_of
from domain.reconciliation import TICKETS
from starter.health_page.auth import CurrentOperator
from starter.health_page.context import page_of, render
from store.db import session_scope
from store.tables import JournalEntry

router = APIRouter()


def latest_business_date(engine: Engine) -> date:
    """The newest business date journaled (today when none is)."""
    with session_scope(engine) as session:
        latest = session.exec(select(func.max(JournalEntry.business_date))).one()
    return latest or datetime.now(UTC).date()


@router.get("/reconciliation", response_class=HTMLResponse)
async def reconciliation(
    request: Request, operator: CurrentOperator, day: str = "", store: str = ""
) -> HTMLResponse:
    """``day`` defaults to the newest business date journaled."""
    page = page_of(request)
    try:
        chosen = date.fromisoformat(day) if day else None
    except ValueError:
        raise HTTPException(400, f"not a date (YYYY-MM-DD): {day!r}") from None
    if chosen is None:
        chosen = await asyncio.to_thread(latest_business_date, page.engine)
    try:
        report = await page.reconcile(chosen, store.strip() or None)
    except Exception as error:  # the ERP may be down: the page still says so
        return render(
            request,
            "reconciliation.html",
            operator,
            status_code=503,
            day=chosen,
            store=store,
            report=None,
            error=f"the reconciliation could not be built: {error}",
            tickets_metric=TICKETS,
        )
    for entry in report.days:
        entry.open_exceptions = [
            note
            for note in entry.open_exceptions
            if owner_of(note.kind, page.settings.exception_owners) in operator.owners
        ]
    return render(
        request,
        "reconciliation.html",
        operator,
        day=chosen,
        store=store,
        report=report,
        error=None,
        tickets_metric=TICKETS,
    )
