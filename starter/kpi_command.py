"""`tillsync kpi`: the daily KPI line per store and for the chain (domain/kpi.py)."""

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from typing import Any

from domain.kpi import KpiLine, chain_line, differences_by_store, kpi_line
from domain.settings import Settings


def add_kpi_command(commands: "argparse._SubParsersAction[Any]") -> None:
    kpi = commands.add_parser("kpi", help="the day's KPI line per store and for the chain")
    kpi.add_argument(
        "--day", type=date.fromisoformat, default=None, help="business date (default: today)"
    )
    kpi.add_argument("--json", action="store_true", help="one JSON object per line")
    kpi.add_argument(
        "--no-erp", action="store_true", help="skip reconciling the day against the ERP"
    )
    kpi.set_defaults(handler=_kpi)


async def day_kpis(
    settings: Settings, day: date, reconciliation: dict[str, int] | None
) -> list[KpiLine]:
    """One line per store, then the chain's; for the page as for the CLI."""
    from store.db import create_store_engine, session_scope
    from store.kpi import store_day_facts

    engine = create_store_engine(settings.resolved_store_url)

    def read() -> list[KpiLine]:
        now = datetime.now(UTC)
        with session_scope(engine) as session:
            facts = store_day_facts(session, day, reconciliation)
        return [*(kpi_line(store, day, now) for store in facts), chain_line(facts, day, now)]

    return await asyncio.to_thread(read)


async def _kpi(args: argparse.Namespace, settings: Settings) -> int:
    from starter.finance import reconcile_day

    day: date = args.day or datetime.now(UTC).date()
    reconciliation: dict[str, int] | None = None
    if not args.no_erp:
        try:
            reconciliation = differences_by_store(await reconcile_day(settings, day, None))
        except Exception as error:  # the KPIs stand without the ERP; say why it is missing
            print(f"not reconciled (the ERP did not answer: {error})", file=sys.stderr)
    for line in await day_kpis(settings, day, reconciliation):
        print(line.model_dump_json() if args.json else line.render())
    return 0
