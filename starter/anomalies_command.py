"""`tillsync anomalies`: the anomaly flags of the lookback ending today (domain/anomalies.py)."""

import argparse
import sys
from datetime import UTC, date, datetime
from typing import Any

from domain.settings import Settings


def add_anomalies_command(commands: "argparse._SubParsersAction[Any]") -> None:
    anomalies = commands.add_parser("anomalies", help="anomaly flags for store managers")
    anomalies.add_argument(
        "--day", type=date.fromisoformat, default=None, help="last day looked at (default: today)"
    )
    anomalies.add_argument("--json", action="store_true", help="one JSON object per flag")
    anomalies.add_argument(
        "--no-erp", action="store_true", help="skip the ERP's stock (no phantom inventory)"
    )
    anomalies.set_defaults(handler=_anomalies)


async def _anomalies(args: argparse.Namespace, settings: Settings) -> int:
    from connectors.erp.factory import create_connector
    from domain.anomalies import AnomalyThresholds
    from observability.anomaly_scan import scan_anomalies
    from store.db import create_store_engine

    engine = create_store_engine(settings.resolved_store_url)
    day: date = args.day or datetime.now(UTC).date()
    limits = AnomalyThresholds.from_settings(settings)
    erp = None
    if not args.no_erp:
        try:
            erp = create_connector(settings)
        except Exception as error:  # the journal's flags stand without the ERP
            print(f"no phantom inventory check (no ERP: {error})", file=sys.stderr)
    try:
        flags = await scan_anomalies(engine, erp, limits, day)
    finally:
        if erp is not None:
            await erp.aclose()
    for flag in flags:
        print(flag.model_dump_json() if args.json else f"[{flag.kind}] {flag.explanation}")
    if not flags and not args.json:
        print(f"no anomaly over the {limits.lookback_days} days to {day}")
    return 0
