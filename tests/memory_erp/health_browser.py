"""What the browser tests do in Chromium: sign in as an operator, read the queue's rows, and
check a screenshot; and the exception ids they act on."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, HttpCredentials, Page, ViewportSize
from sqlalchemy import Engine
from sqlmodel import select

from store.db import session_scope
from store.tables import SyncException
from tests.memory_erp.health_page import PASSWORD


@contextlib.asynccontextmanager
async def signed_in(browser: Browser, name: str | None) -> AsyncIterator[BrowserContext]:
    """A browser session of operator ``name`` (None: no credentials)."""
    credentials = HttpCredentials(username=name, password=PASSWORD) if name else None
    context = await browser.new_context(
        http_credentials=credentials, viewport=ViewportSize(width=1400, height=900)
    )
    try:
        yield context
    finally:
        await context.close()


async def rows_of(page: Page) -> list[dict[str, str]]:
    """The queue's rows as the page shows them: exception id, kind and owner."""
    rows = page.locator("#queue tbody tr[data-exception]")
    return [
        {
            "id": await row.get_attribute("data-exception") or "",
            "kind": await row.get_attribute("data-kind") or "",
            "owner": await row.get_attribute("data-owner") or "",
            "text": await row.inner_text(),
        }
        for row in await rows.all()
    ]


def exception_id(engine: Engine, workflow_id: str, kind: str) -> int:
    with session_scope(engine) as session:
        record = session.exec(
            select(SyncException).where(
                SyncException.workflow_id == workflow_id,
                SyncException.kind == kind,
                SyncException.state == "open",
            )
        ).one()
        assert record.id is not None
        return record.id


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    assert len(data) > 10_000, f"{path}: {len(data)} bytes"


@contextlib.asynccontextmanager
async def context_with_password(
    browser: Browser, name: str, password: str
) -> AsyncIterator[BrowserContext]:
    """A browser session with a wrong password."""
    context = await browser.new_context(
        http_credentials=HttpCredentials(username=name, password=password)
    )
    try:
        yield context
    finally:
        await context.close()
