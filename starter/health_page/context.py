"""What every route of the page reaches through ``request.app.state.page``, and rendering."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from temporalio.client import Client

from domain.exception_routing import kinds_owned_by
from domain.outcomes import ExceptionKind
from domain.reconciliation import ReconciliationReport
from domain.settings import Settings
from starter.health_page.auth import FormTokens, Operator, Operators

TEMPLATES = Path(__file__).parent / "templates"

Reconciler = Callable[[date, str | None], Awaitable[ReconciliationReport]]
"""The reconciliation of a business day (and a store, or all): POS against the ERP."""


@dataclass
class PageContext:
    settings: Settings
    client: Client
    engine: Engine
    operators: Operators
    tokens: FormTokens
    reconcile: Reconciler
    templates: Jinja2Templates

    def visible_kinds(self, operator: Operator) -> list[ExceptionKind]:
        return kinds_owned_by(operator.owners, self.settings.exception_owners)


def page_of(request: Request) -> PageContext:
    page: PageContext = request.app.state.page
    return page


def render(
    request: Request, template: str, operator: Operator, status_code: int = 200, **values: Any
) -> HTMLResponse:
    page = page_of(request)
    return page.templates.TemplateResponse(
        request,
        template,
        {
            "operator": operator,
            "form_token": page.tokens.token_for(operator),
            "temporal_ui": page.settings.resolved_temporal_ui_url,
            **values,
        },
        status_code=status_code,
    )
