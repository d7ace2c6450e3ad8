"""The embedded stack's own servers on a machine where their default ports may be taken: each
moves to a free port before it starts, and the summary prints what is actually answering
(or says plainly that it is not served)."""

import asyncio
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from connectors.erp.tryton_sandbox.subprocesses import free_port
from domain.settings import Settings

PROBE_SECONDS = 15.0
"""How long the summary waits for a server that is still starting."""


@dataclass(frozen=True)
class _Server:
    setting: str
    host_setting: str
    what: str


MOVABLE = [
    _Server("health_port", "health_host", "the sync-health page"),
    _Server("worker_metrics_port", "metrics_host", "the worker's /metrics"),
    _Server("temporal_metrics_port", "metrics_host", "the Temporal SDK's metrics"),
    _Server("ingest_port", "ingest_host", "the POS ingest (and its /metrics)"),
]


def can_listen(host: str, port: int) -> bool:
    """Whether a server could listen on ``host:port`` now (as uvicorn and prometheus_client
    bind: reusing a port in TIME_WAIT)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def with_free_ports(settings: Settings) -> tuple[Settings, list[str]]:
    """``settings`` with every taken port of the stack's own servers moved to a free one (a
    port of 0, not served, stays), and a line per move."""
    moved: dict[str, int] = {}
    notes = []
    for server in MOVABLE:
        port: int = getattr(settings, server.setting)
        host: str = getattr(settings, server.host_setting)
        if not port or can_listen(host, port):
            continue
        moved[server.setting] = free_port(host)
        notes.append(
            f"port {port} is taken: {server.what} listens on {moved[server.setting]} instead"
        )
    return settings.model_copy(update=moved), notes


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status, answer.read().decode(errors="replace")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode(errors="replace")


async def answering(url: str, ours: Callable[[int, str], bool]) -> bool:
    """Whether ``url`` answers as ours does (``ours(status, body)``), waiting for a server that
    is still starting."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PROBE_SECONDS
    while True:
        try:
            status, body = await asyncio.to_thread(_get, url)
            if ours(status, body):
                return True
        except OSError:
            pass
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.25)


def is_health_page(status: int, body: str) -> bool:
    """The page asks a stranger for credentials."""
    return status == 401 and "operators sign in" in body


def is_metrics(status: int, body: str) -> bool:
    return status == 200 and "tillsync_" in body


async def served(url: str | None, ours: Callable[[int, str], bool], setting: str) -> str:
    """``url`` when it answers as ours, else why it is not served."""
    if url is None:
        return f"not served ({setting} is 0)"
    if await answering(url, ours):
        return url
    return f"not served (nothing of ours answers on {url}: see the errors above)"
