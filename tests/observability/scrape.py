"""Reading Prometheus metrics in tests: a free port, a scrape, sums by label."""

import socket
from collections import defaultdict
from collections.abc import Iterable

import httpx
from prometheus_client import REGISTRY
from prometheus_client.core import Metric
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[str, list[tuple[dict[str, str], float]]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def parse(text: str) -> Samples:
    samples: Samples = defaultdict(list)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[sample.name].append((dict(sample.labels), float(sample.value)))
    return samples


async def scrape(url: str) -> Samples:
    async with httpx.AsyncClient() as http:
        answer = await http.get(url, timeout=10)
    answer.raise_for_status()
    return parse(answer.text)


def total(samples: Samples, name: str, **labels: str) -> float:
    return sum(
        value
        for sample_labels, value in samples.get(name, [])
        if all(sample_labels.get(key) == wanted for key, wanted in labels.items())
    )


def process_samples() -> Samples:
    """This process's own metrics (counters and histograms of the default registry)."""
    samples: Samples = defaultdict(list)
    for family in REGISTRY.collect():
        for sample in family.samples:
            samples[sample.name].append((dict(sample.labels), float(sample.value)))
    return samples


def by_store(metrics: Iterable[Metric], name: str) -> dict[str, float]:
    """A gauge's samples, by their ``store`` label (the metrics a collector reads)."""
    return {
        sample.labels["store"]: sample.value
        for metric in metrics
        for sample in metric.samples
        if sample.name == name
    }
