"""Flags the worker recomputes now and then and exports as gauges: anomaly flags (from the
journal and the ERP's stock) and the reconciliation of the latest settled business day."""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from prometheus_client import Gauge
from sqlalchemy import Engine

from activities.finance import build_reconciliation
from connectors.erp.base import ErpBooks, ErpConnector
from domain.anomalies import AnomalyFlag, AnomalyThresholds
from domain.kpi import differences_by_store
from domain.periods import DateRange
from domain.settings import Settings
from domain.sync_health import settled_business_day
from observability.anomaly_scan import scan_anomalies

log = logging.getLogger(__name__)

ANOMALY_FLAGS = Gauge(
    "tillsync_anomaly_flags",
    "Anomaly flags raised over the lookback, by store and kind (docs/runbook.md#anomalies)",
    ["store", "kind"],
)
RECONCILIATION_DIFFERENCES = Gauge(
    "tillsync_reconciliation_differences",
    "Figures where the POS and the ERP differ for the latest settled business day, by store",
    ["store"],
)


def publish_anomalies(flags: list[AnomalyFlag]) -> None:
    ANOMALY_FLAGS.clear()
    for flag in flags:
        ANOMALY_FLAGS.labels(flag.store_id, flag.kind.value).inc()


async def refresh_once(
    engine: Engine, connector: ErpConnector, books: ErpBooks, settings: Settings
) -> None:
    now = datetime.now(UTC)
    limits = AnomalyThresholds.from_settings(settings)
    publish_anomalies(await scan_anomalies(engine, connector, limits, now.date()))
    day = settled_business_day(now, settings.daily_posting_hour)
    report = await build_reconciliation(engine, books, DateRange(start_date=day, end_date=day))
    RECONCILIATION_DIFFERENCES.clear()
    for store_id, count in differences_by_store(report).items():
        RECONCILIATION_DIFFERENCES.labels(store_id).set(count)


async def refresh_health(
    engine: Engine,
    connector: ErpConnector,
    books: ErpBooks,
    settings: Settings,
    stop: asyncio.Event,
) -> None:
    """Refresh every ``health_refresh_seconds`` until ``stop``; a failed round is logged and
    the gauges keep their last figures."""
    while not stop.is_set():
        try:
            await refresh_once(engine, connector, books, settings)
        except Exception:
            log.exception("refreshing the anomaly flags and the reconciliation failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.health_refresh_seconds)
