"""Gauges read from the store's tables when Prometheus scrapes (cached a few seconds): open
exceptions, parked runs, sync lag, when each store was last heard from, receipt gaps."""

import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from domain.outcomes import ExceptionKind
from domain.sync_health import sync_lag_seconds
from store.db import session_scope
from store.open_issues import OpenGroup, open_exception_groups, open_receipt_gaps, parked_run_groups
from store.sync_marks import sync_marks

GROUP_LABELS = ["store", "kind", "owner"]


class StoreGauges(Collector):
    def __init__(self, engine: Engine, cache_seconds: float = 10.0) -> None:
        self._engine = engine
        self._cache_seconds = cache_seconds
        self._cached: tuple[float, list[Metric]] | None = None
        self._lock = threading.Lock()

    def describe(self) -> Iterable[Metric]:
        return []  # read at scrape time: nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > self._cache_seconds:
                self._cached = (time.monotonic(), self.read(datetime.now(UTC)))
            metrics = self._cached[1]
        yield from metrics

    def read(self, now: datetime) -> list[Metric]:
        with session_scope(self._engine) as session:
            open_groups = open_exception_groups(session)
            parked = parked_run_groups(session)
            marks = sync_marks(session)
            gaps = open_receipt_gaps(session)
        open_count, open_age = _group_gauges("tillsync_open_exceptions", open_groups, now)
        parked_count, parked_age = _group_gauges("tillsync_parked_runs", parked, now)
        open_count.documentation = "Open exceptions by store, kind and owner role"
        parked_count.documentation = "Runs parked until an operator retries or abandons them"
        lag = GaugeMetricFamily(
            "tillsync_sync_lag_seconds",
            "Till time of the newest ticket seen less that of the newest posted, per store",
            labels=["store"],
        )
        seen = GaugeMetricFamily(
            "tillsync_store_last_seen_timestamp_seconds",
            "When the store's newest ticket arrived (Unix time)",
            labels=["store"],
        )
        posted = GaugeMetricFamily(
            "tillsync_store_last_posted_timestamp_seconds",
            "When a ticket of the store was last posted (Unix time)",
            labels=["store"],
        )
        for mark in marks:
            lag.add_metric([mark.store_id], sync_lag_seconds(mark))
            seen.add_metric([mark.store_id], _utc(mark.last_seen_at).timestamp())
            if mark.last_posted_at is not None:
                posted.add_metric([mark.store_id], _utc(mark.last_posted_at).timestamp())
        gap_terminals = GaugeMetricFamily(
            "tillsync_receipt_gaps_open",
            "Terminals of the store with receipt numbers missing beyond the grace period",
            labels=["store"],
        )
        missing = GaugeMetricFamily(
            "tillsync_receipts_missing", "Receipt numbers missing, per store", labels=["store"]
        )
        for gap in gaps:
            gap_terminals.add_metric([gap.store_id], gap.terminals)
            missing.add_metric([gap.store_id], gap.missing_receipts)
        gauges = [open_count, open_age, parked_count, parked_age, lag, seen, posted]
        return [*gauges, gap_terminals, missing]


def _group_gauges(
    name: str, groups: list[OpenGroup], now: datetime
) -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
    count = GaugeMetricFamily(name, "", labels=[*GROUP_LABELS, "parks"])
    oldest = GaugeMetricFamily(
        f"{name}_oldest_age_seconds",
        "Age of the oldest, by store, kind and owner role",
        labels=[*GROUP_LABELS, "parks"],
    )
    for group in groups:
        labels = [group.store_id, group.kind, group.owner, _parks(group.kind)]
        count.add_metric(labels, group.count)
        oldest.add_metric(labels, max((now - _utc(group.oldest_opened_at)).total_seconds(), 0))
    return count, oldest


def _parks(kind: str) -> str:
    """ "false" for records written for review while the posting went ahead."""
    try:
        return "false" if ExceptionKind(kind).is_review_record else "true"
    except ValueError:
        return "true"


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
