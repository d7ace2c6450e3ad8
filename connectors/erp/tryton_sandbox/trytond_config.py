"""The trytond configuration file shared by trytond-admin, the seed script and the servers."""

from pathlib import Path

_TEMPLATE = """\
[database]
uri = {uri}
path = {data_dir}
language = en

[web]
listen = {listen}

[cache]
{cache}

[queue]
{queue}
"""
_INLINE_QUEUE = """\
# No worker: queued tasks (sale processing, invoice printing) run inline, right after the
# request that queued them commits and before its response is sent.
worker = False"""
_QUEUE_WORKER = """\
# trytond-worker runs queued tasks (sale processing, invoice printing) in its own processes,
# after the request that queued them has answered.
worker = True"""
_CACHE_CHANNEL = """\
# Several processes serve the database: each tells the others at once, over PostgreSQL's
# channels, which of their caches to clear (a timeout would leave them stale for minutes).
clean_timeout = 0"""


def write_trytond_config(
    path: Path,
    data_dir: Path,
    listen: str = "127.0.0.1:8000",
    *,
    uri: str = "sqlite://",
    queue_worker: bool = False,
) -> Path:
    """``uri`` is trytond's ``[database] uri`` (``postgresql://user@host:port/``); ``data_dir``
    holds SQLite's database files and the attachments trytond stores (reports)."""
    channel = uri.startswith("postgresql")
    path.write_text(
        _TEMPLATE.format(
            uri=uri,
            data_dir=data_dir.resolve(),
            listen=listen,
            cache=_CACHE_CHANNEL if channel else "",
            queue=_QUEUE_WORKER if queue_worker else _INLINE_QUEUE,
        )
    )
    return path
