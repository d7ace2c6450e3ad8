"""The worker's /metrics: tillsync's own metrics, the store's gauges, and the Temporal SDK
runtime's metrics, forwarded from the runtime's own endpoint so one scrape gets them all."""

import logging
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from domain.settings import Settings
from observability.store_gauges import StoreGauges

log = logging.getLogger(__name__)
FORWARD_TIMEOUT_SECONDS = 2.0


def temporal_runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime exporting the SDK's metrics (None: the default runtime, no metrics).
    Pass it to ``Client.connect`` of the worker's client."""
    if not settings.temporal_metrics_port:
        return None
    address = f"{settings.metrics_host}:{settings.temporal_metrics_port}"
    try:
        return Runtime(
            telemetry=TelemetryConfig(
                metrics=PrometheusConfig(bind_address=address, durations_as_seconds=True)
            )
        )
    except Exception:  # the sync goes on without the SDK's metrics, loudly
        log.exception("the Temporal SDK metrics cannot be served on %s", address)
        return None


class _ProcessMetrics(Collector):
    """This process's own metrics (the default registry): counters, histograms, GC."""

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


class ForwardedMetrics(Collector):
    """Another endpoint's metrics (the Temporal runtime's), read at each scrape."""

    def __init__(self, url: str) -> None:
        self._url = url

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        try:
            with urllib.request.urlopen(self._url, timeout=FORWARD_TIMEOUT_SECONDS) as answer:
                text = answer.read().decode()
        except OSError as error:
            log.warning("could not read %s: %s", self._url, error)
            return
        yield from text_string_to_metric_families(text)


def worker_registry(settings: Settings, engine: Engine) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessMetrics())
    registry.register(StoreGauges(engine, settings.metrics_cache_seconds))
    if settings.temporal_metrics_port:
        registry.register(
            ForwardedMetrics(
                f"http://{settings.metrics_host}:{settings.temporal_metrics_port}/metrics"
            )
        )
    return registry


@contextmanager
def serving_worker_metrics(settings: Settings, engine: Engine) -> Iterator[str | None]:
    """Serve the worker's /metrics while inside; yields its URL (None: not configured)."""
    if not settings.worker_metrics_port:
        yield None
        return
    server: WSGIServer
    try:
        server, thread = start_http_server(
            settings.worker_metrics_port,
            settings.metrics_host,
            registry=worker_registry(settings, engine),
        )
    except OSError:  # a port taken stops the metrics, never the sync
        log.exception(
            "the worker's /metrics cannot listen on port %s", settings.worker_metrics_port
        )
        yield None
        return
    try:
        yield f"http://{settings.metrics_host}:{settings.worker_metrics_port}/metrics"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
