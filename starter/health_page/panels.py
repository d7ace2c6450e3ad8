"""Extra panels on the store overview, each a titled table. The KPI line and the anomaly
flags (computed elsewhere) register a provider here; the overview renders whatever the
providers return, in order."""

from collections.abc import Awaitable, Callable

from pydantic import BaseModel

from starter.health_page.auth import Operator
from starter.health_page.context import PageContext


class Panel(BaseModel):
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


PanelProvider = Callable[[PageContext, Operator], Awaitable[Panel | None]]

PROVIDERS: list[PanelProvider] = []
"""Append a provider to show its panel on the overview (None: nothing to show)."""


async def overview_panels(page: PageContext, operator: Operator) -> list[Panel]:
    panels = [await provider(page, operator) for provider in PROVIDERS]
    return [panel for panel in panels if panel is not None]
