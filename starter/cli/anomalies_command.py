"""`tillsync anomalies`: the anomaly flags of the lookback ending today (domain/anomalies.py)."""

from datetime import date
from typing import Annotated

import typer

from domain.settings import Settings
from starter.cli.console import day_option, fail, finish, stdout_console, table


def register(app: typer.Typer) -> None:
    app.command(help="anomaly flags for store managers")(anomalies)


def anomalies(
    day: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="last day looked at (default: today)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per flag")] = False,
    no_erp: Annotated[
        bool, typer.Option("--no-erp", help="skip the ERP's stock (no phantom inventory)")
    ] = False,
) -> None:
    finish(show_anomalies(Settings(), day_option(day), as_json=as_json, with_erp=not no_erp))


async def show_anomalies(settings: Settings, day: date, *, as_json: bool, with_erp: bool) -> int:
    from connectors.erp.factory import create_connector
    from domain.anomalies import AnomalyThresholds
    from observability.anomaly_scan import scan_anomalies
    from store.db import create_store_engine

    engine = create_store_engine(settings.resolved_store_url)
    limits = AnomalyThresholds.from_settings(settings)
    erp = None
    if with_erp:
        try:
            erp = create_connector(settings)
        except Exception as error:  # the journal's flags stand without the ERP
            fail(f"no phantom inventory check (no ERP: {error})")
    try:
        flags = await scan_anomalies(engine, erp, limits, day)
    finally:
        if erp is not None:
            await erp.aclose()
    if as_json:
        for flag in flags:
            print(flag.model_dump_json())
        return 0
    if not flags:
        print(f"no anomaly over the {limits.lookback_days} days to {day}")
        return 0
    rows = [
        [flag.kind.value, flag.store_id, flag.subject or "-", flag.explanation] for flag in flags
    ]
    title = f"{len(flags)} anomalies over the {limits.lookback_days} days to {day}"
    stdout_console().print(table(title, ["kind", "store", "subject", "explanation"], rows))
    return 0
