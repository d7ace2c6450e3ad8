"""The store overview (``/``) and the runbook the exceptions link to."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from starter.health_page.auth import CurrentOperator
from starter.health_page.context import page_of, render
from starter.health_page.panels import overview_panels
from store.db import session_scope
from store.health import StoreHealth, store_health

router = APIRouter()

RUNBOOK = Path("docs/runbook.md")


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, operator: CurrentOperator) -> HTMLResponse:
    page = page_of(request)
    kinds = [kind.value for kind in page.visible_kinds(operator)]

    silent_after = timedelta(minutes=page.settings.store_silent_minutes)

    def read() -> list[StoreHealth]:
        with session_scope(page.engine) as session:
            return store_health(session, kinds, datetime.now(UTC), silent_after)

    stores = await asyncio.to_thread(read)
    panels = await overview_panels(page, operator)
    return render(
        request, "overview.html", operator, stores=stores, panels=panels, silent_after=silent_after
    )


@router.get("/docs/runbook.md", response_class=PlainTextResponse)
async def runbook(operator: CurrentOperator) -> PlainTextResponse:
    """The runbook as the project ships it (each exception links to its kind's entry)."""
    if not await asyncio.to_thread(RUNBOOK.exists):
        raise HTTPException(404, "no runbook at docs/runbook.md")
    text = await asyncio.to_thread(RUNBOOK.read_text)
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
