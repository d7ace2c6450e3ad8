"""Benchmarks measure with payload encryption on, as production runs."""

import os

from temporalio.converter import DataConverter

from connectors.temporal import data_converter
from connectors.temporal.keyring import new_key_line
from domain.settings import Settings


def bench_data_converter() -> DataConverter:
    """The configured codec; with no key configured, an ephemeral key for this run (its
    Temporal server is thrown away with it), set in the environment so that the worker
    processes it starts share it."""
    configured = os.environ.get("TILLSYNC_CODEC_KEYS") or os.environ.get("TILLSYNC_CODEC_KEYS_FILE")
    if not configured and os.environ.get("TILLSYNC_CODEC") != "off":
        os.environ["TILLSYNC_CODEC_KEYS"] = new_key_line("bench")
    return data_converter(Settings())
