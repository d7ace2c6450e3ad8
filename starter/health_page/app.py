"""The page's app factory: the store overview, the exception queue, the reconciliation."""

from fastapi import FastAPI
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
    app.include_router(overview.router)
    app.include_router(queue.router)
    app.include_router(reconciliation.router)
    return app
