"""Panels on the store overview, each a titled table: the day's KPI line per store and for
the chain (domain/kpi.py), and the anomaly flags over the lookback (domain/anomalies.py; the
page reads no ERP, so phantom-inventory flags are `tillsync anomalies`' and the metrics')."""

import asyncio
from datetime import UTC, datetime

from pydantic import BaseModel

from domain.anomalies import AnomalyThresholds
from observability.anomaly_scan import scan_anomalies
from starter.health_page.auth import Operator
from starter.health_page.context import PageContext
from starter.health_page.reconciliation import latest_business_date
from starter.reports.kpi import day_kpis


class Panel(BaseModel):
    title: str
    anchor: str
    """its id on the page (alerts link to it)"""
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


async def overview_panels(page: PageContext, operator: Operator) -> list[Panel]:
    panels = [await kpi_panel(page), await anomaly_panel(page)]
    return [panel for panel in panels if panel is not None]


async def kpi_panel(page: PageContext) -> Panel | None:
    """The KPI line of the newest business day journaled."""
    day = await asyncio.to_thread(latest_business_date, page.engine)

    lines = await day_kpis(page.engine, day, None)
    if not any(line.tickets for line in lines):
        return None
    figures = [line.figures() for line in lines]
    return Panel(
        title=f"KPIs, {day.isoformat()}",
        anchor="kpis",
        headers=["scope", *figures[0]],
        rows=[[line.scope, *row.values()] for line, row in zip(lines, figures, strict=True)],
        note="Reconciliation differences: `tillsync kpi` reconciles against the ERP.",
    )


async def anomaly_panel(page: PageContext) -> Panel | None:
    flags = await scan_anomalies(
        page.engine, None, AnomalyThresholds.from_settings(page.settings), datetime.now(UTC).date()
    )
    if not flags:
        return None
    return Panel(
        title="Anomaly flags",
        anchor="anomalies",
        headers=["store", "flag", "who or what", "why"],
        rows=[
            [flag.store_id, flag.kind.value, flag.subject or "", flag.explanation] for flag in flags
        ],
        note="What each flag means and what to check: docs/runbook.md#anomalies.",
    )
