"""The embedded stack on one machine: Temporal dev server, sandbox Tryton ERP, a worker.

State lives under the data folder and survives restarts: the Temporal database (runs and
their histories), the ERP database (provisioned once from a cached template) and the store.
"""

import asyncio
import contextlib
import logging
import shutil
import signal
from pathlib import Path

from temporalio.client import Client

from connectors.erp.factory import sandbox_info_path
from connectors.erp.tryton_sandbox import TrytonServer, copy_database, ensure_template
from connectors.temporal import data_converter, ensure_dev_key
from domain.periods import PostingMode
from domain.settings import Settings
from observability.server import temporal_runtime
from starter.codec_server.server import build_codec_app, serve_codec_server
from starter.control.daily_posting import describe_daily_posting, mapped_stores, run_daily_posting
from starter.devstack.dev_ports import is_health_page, is_metrics, served, with_free_ports
from starter.devstack.temporal_server import TemporalDevServer
from starter.health_page.dev_operators import with_dev_operator
from starter.health_page.server import page_url, serve_health_page
from starter.ingest.server import serve_ingest
from starter.intake.store_day import replay_store_day
from worker import configure_logging, run_worker

ERP_DATABASE_NAME = "tillsync"


def _erp_database(settings: Settings) -> Path:
    erp_dir = settings.data_dir / "erp"
    database = erp_dir / f"{ERP_DATABASE_NAME}.sqlite"
    if not database.exists():
        print("provisioning the sandbox ERP (first run only) ...", flush=True)
        template = ensure_template(settings.data_dir / "cache" / "erp-template")
        copy_database(template, erp_dir, ERP_DATABASE_NAME)
    return database


def reset_state(settings: Settings) -> None:
    """Forget runs, ERP books and the store; keep the cached ERP template."""
    for name in ("erp", "temporal", "store.db", "store.db-wal", "store.db-shm", "rejects.jsonl"):
        path = settings.data_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


async def _post_the_days(client: Client, settings: Settings) -> None:
    """Daily mode books the money once a day (a Schedule in production): the demo books its
    stores' days at once, so the ERP and `tillsync reconcile` show them."""
    print("Daily posting (one consolidated ERP entry per store and day):")
    for store_id in await asyncio.to_thread(mapped_stores, settings):
        result = await run_daily_posting(client, settings.task_queue, store_id)
        for line in describe_daily_posting(result):
            print(f"  {line}")


async def run_dev(settings: Settings, *, examples: Path, keep: bool, fresh: bool) -> int:
    configure_logging()
    # The summary reports every parked run; the worker's per-activity lines would repeat it.
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("temporalio.activity").setLevel(logging.ERROR)
    if fresh:
        reset_state(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings, moved = with_free_ports(settings)
    for note in moved:
        print(note, flush=True)
    if key_file := ensure_dev_key(settings):
        print(f"payload encryption: a new development key in {key_file}", flush=True)
    codec_settings = dev_codec_settings(settings)
    if codec_settings is not None:
        build_codec_app(codec_settings)  # a configuration error stops here, before anything runs
    database = await asyncio.to_thread(_erp_database, settings)
    erp = TrytonServer(database, port=settings.erp_sandbox_port)
    await asyncio.to_thread(erp.start)
    info_file = sandbox_info_path(settings)
    info_file.write_text(erp.info.model_dump_json())
    temporal = TemporalDevServer(
        settings.data_dir / "temporal" / "temporal.db",
        data_converter=data_converter(settings),
        port=int(settings.temporal_address.rsplit(":", 1)[1]),
        ui_port=settings.temporal_ui_port,
        ui_codec_endpoint=codec_endpoint(codec_settings) if codec_settings else "",
    )
    stop = asyncio.Event()
    worker_task: asyncio.Task[None] | None = None
    ingest_task: asyncio.Task[None] | None = None
    codec_task: asyncio.Task[None] | None = None
    health_task: asyncio.Task[None] | None = None
    try:
        if codec_settings is not None:
            codec_task = asyncio.create_task(serve_codec_server(codec_settings, stop))
            print(f"Codec server (the UI decrypts through it): {codec_endpoint(codec_settings)}")
        client = await temporal.start(temporal_runtime(settings))
        worker_task = asyncio.create_task(run_worker(settings, client, stop))
        print(f"Temporal UI: {temporal.ui_url}    ERP: {erp.url} (database {erp.database})")
        ingest_task = asyncio.create_task(serve_ingest(settings, client, stop))
        ingest_url = f"http://{settings.ingest_host}:{settings.ingest_port}"
        print(f"POS ingest: {ingest_url}/docs")
        settings, sign_in = await asyncio.to_thread(with_dev_operator, settings)
        health_task = asyncio.create_task(serve_health_page(settings, client, stop))
        if await asyncio.to_thread(examples.exists):
            summary = await replay_store_day(client, settings, examples)
            print(summary.render())
            if settings.erp_posting_mode is PostingMode.DAILY:
                await _post_the_days(client, settings)
        print(f"Browse the runs: {temporal.ui_url}/namespaces/default/workflows")
        page = await served(page_url(settings), is_health_page, "TILLSYNC_HEALTH_PORT")
        print(f"Sync health: {page} ({sign_in})")
        print(f"Metrics: {await _metrics_urls(settings, ingest_url)}")
        if keep:
            print("The stack is up; Ctrl-C stops it.", flush=True)
            await _until_interrupted()
    finally:
        stop.set()
        if worker_task is not None:
            with contextlib.suppress(Exception):
                await worker_task
        for task in (ingest_task, codec_task, health_task):
            if task is not None:
                with contextlib.suppress(Exception):
                    await task
        await temporal.stop()
        await asyncio.to_thread(erp.stop)
        info_file.unlink(missing_ok=True)
    return 0


def dev_codec_settings(settings: Settings) -> Settings | None:
    """The codec server's settings in the embedded stack, or None when the codec is off: on
    loopback, for the dev server's UI (which has no login, so no token to pass: its origins are
    trusted instead; configured tokens work too)."""
    if settings.codec == "off":
        return None
    ui_origins = [f"http://localhost:{settings.temporal_ui_port}"]
    ui_origins.append(f"http://127.0.0.1:{settings.temporal_ui_port}")
    return settings.model_copy(
        update={
            "codec_server_host": "127.0.0.1",
            "codec_server_origins": ",".join(ui_origins),
            "codec_server_trust_ui_origin": True,
        }
    )


def codec_endpoint(codec_settings: Settings) -> str:
    return f"http://{codec_settings.codec_server_host}:{codec_settings.codec_server_port}"


async def _metrics_urls(settings: Settings, ingest_url: str) -> str:
    """The worker's /metrics (with the store's gauges and the Temporal SDK's metrics) and the
    ingest's, as they answer; alert rules in ops/prometheus/, what to do in docs/runbook.md."""
    worker = None
    if settings.worker_metrics_port:
        worker = f"http://{settings.metrics_host}:{settings.worker_metrics_port}/metrics"
    worker = await served(worker, is_metrics, "TILLSYNC_WORKER_METRICS_PORT")
    ingest = await served(f"{ingest_url}/metrics", is_metrics, "TILLSYNC_INGEST_PORT")
    return f"{worker} (worker)    {ingest} (ingest)"


async def _until_interrupted() -> None:
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, interrupted.set)
    await interrupted.wait()
