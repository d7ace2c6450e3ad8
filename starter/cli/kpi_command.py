"""`tillsync kpi`: the daily KPI line per store and for the chain (domain/kpi.py)."""

from datetime import date
from typing import Annotated

import typer

from domain.kpi import differences_by_store
from domain.settings import Settings
from starter.cli.console import day_option, fail, finish, stdout_console, table


def register(app: typer.Typer) -> None:
    app.command(help="the day's KPI line per store and for the chain")(kpi)


def kpi(
    day: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="business date (default: today)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    no_erp: Annotated[
        bool, typer.Option("--no-erp", help="skip reconciling the day against the ERP")
    ] = False,
) -> None:
    finish(show_kpis(Settings(), day_option(day), as_json=as_json, reconcile=not no_erp))


async def show_kpis(settings: Settings, day: date, *, as_json: bool, reconcile: bool) -> int:
    from starter.reports.kpi import day_kpis
    from starter.reports.reconciliation import reconcile_day
    from store.db import create_store_engine

    reconciliation: dict[str, int] | None = None
    if reconcile:
        try:
            reconciliation = differences_by_store(await reconcile_day(settings, day, None))
        except Exception as error:  # the KPIs stand without the ERP; say why it is missing
            fail(f"not reconciled (the ERP did not answer: {error})")
    engine = create_store_engine(settings.resolved_store_url)
    lines = await day_kpis(engine, day, reconciliation)
    if as_json:
        for line in lines:
            print(line.model_dump_json())
        return 0
    columns = ["scope", "day", *lines[0].figures()]
    rows = [[line.scope, str(line.business_date), *line.figures().values()] for line in lines]
    stdout_console().print(table(f"KPIs for {day}", columns, rows))
    return 0
