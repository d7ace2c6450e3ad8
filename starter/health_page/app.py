"""The page's app factory: the store overview, the exception queue, the reconciliation."""

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from temporalio.client import Client

from domain.settings import Settings
from starter.health_page import overview, queue, reconciliation
from starter.health_page.auth import FormTokens, Operators
from starter.health_page.context import TEMPLATES, PageContext, Reconciler


def create_app(
    settings: Settings,
    client: Client,
    engine: Engine,
    reconcile: Reconciler,
    operators: Operators | None = None,
) -> FastAPI:
    app = FastAPI(title="tillsync sync health", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=TEMPLATES)
    app.state.page = PageContext(
        settings=settings,
        client=client,
        engine=engine,
        operators=operators if operators is not None else Operators.from_settings(settings),
        tokens=FormTokens(settings.health_form_secret.get_secret_value()),
        reconcile=reconcile,
        templates=templates,
    )
    app.middleware("http")(_security_headers)
    app.include_router(overview.router)
    app.include_router(queue.router)
    app.include_router(reconciliation.router)
    return app


_HEADERS = {
    # Never framed (clickjacking), forms post only to the page, nothing loaded from elsewhere.
    "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline';"
    " frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    return response
