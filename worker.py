"""The worker process: registers every workflow and activity and polls the task queue.

Run one per machine (or many: they share the task queue) with ``python worker.py``; the
embedded stack (``tillsync dev``) runs one in-process.
"""

import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    Interceptor,
    PollerBehaviorSimpleMaximum,
    UnsandboxedWorkflowRunner,
    Worker,
)
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.admission import AdmissionActivities
from activities.available import AvailableActivities, StockChanges
from activities.daily_posting import DailyPostingActivities
from activities.erp import ErpActivities
from activities.finance import FinanceActivities
from activities.master_data import MasterDataActivities
from activities.receipts import ReceiptActivities
from activities.returns import ReturnActivities, ReturnWakeups
from activities.stock_erp import StockErpActivities
from activities.stock_store import StockStoreActivities
from activities.store import StoreActivities
from connectors.erp.base import ErpBooks, ErpConnector, ErpStockMoves
from connectors.erp.factory import create_erp
from connectors.temporal import CodecNotConfigured
from connectors.temporal.client import connect
from connectors.temporal.evicted_runs import FreeingEvictedRuns
from connectors.tills.secrets import StoreSecrets
from connectors.tills.webhook import TillWebhooks
from domain.settings import Settings
from observability.activity_metrics import SyncMetricsInterceptor
from observability.erp_metering import metered
from observability.health_refresher import refresh_health
from observability.server import serving_worker_metrics, temporal_runtime
from store.db import create_store_engine
from workflows.ats_publisher import AtsPublisherWorkflow
from workflows.daily_posting import DailyPostingWorkflow
from workflows.master_data_sync import MasterDataSyncWorkflow
from workflows.period_close import PeriodCloseWorkflow
from workflows.pos_transaction import PosTransactionWorkflow
from workflows.purchase_receipt import PurchaseReceiptWorkflow
from workflows.receipt_gaps import ReceiptGapsWorkflow
from workflows.transfers import TransferDispatchWorkflow, TransferReceiptWorkflow

WORKFLOWS = [
    PosTransactionWorkflow,
    ReceiptGapsWorkflow,
    PeriodCloseWorkflow,
    DailyPostingWorkflow,
    TransferDispatchWorkflow,
    TransferReceiptWorkflow,
    PurchaseReceiptWorkflow,
    MasterDataSyncWorkflow,
    AtsPublisherWorkflow,
]
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_all_modules()
)
"""The sandbox still refuses non-deterministic calls, but imports each module once per worker
instead of once per run: workflow modules here keep no state at module level."""


def workflow_runner(settings: Settings) -> FreeingEvictedRuns:
    """The sandbox runs each activation, and each payload's serialization context, through
    ``exec`` of generated code: about a quarter of a run's worker CPU. The tests run with it on,
    so what they cover is proven deterministic; production workers may run without it."""
    runner = WORKFLOW_RUNNER if settings.workflow_sandbox else UnsandboxedWorkflowRunner()
    return FreeingEvictedRuns(runner)


class BusinessFailuresWithoutTraceback(logging.Filter):
    """A parked run is an expected outcome, recorded as an exception in the store and in
    the run's history: log it as one line, not as a stack trace (transient errors keep theirs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ApplicationError) and error.non_retryable:
            record.msg = f"{record.msg}: {error}"
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("temporalio.activity").addFilter(BusinessFailuresWithoutTraceback())
    logging.getLogger("httpx").setLevel(logging.WARNING)


def build_worker(
    client: Client,
    settings: Settings,
    connector: ErpConnector,
    books: ErpBooks,
    executor: ThreadPoolExecutor,
    interceptors: Sequence[Interceptor] = (),
) -> Worker:
    """The worker; its ERP calls are timed and its tickets counted (observability/)."""
    connector, books = metered(connector), metered(books)
    engine = create_store_engine(settings.resolved_store_url)
    store = StoreActivities(engine, ReturnWakeups(client).posted_from_thread)
    returns = ReturnActivities(engine)
    receipts = ReceiptActivities(engine, timedelta(seconds=settings.receipt_gap_grace_seconds))
    webhooks = TillWebhooks(
        settings.store_channels,
        StoreSecrets.from_settings(settings),
        timeout=settings.webhook_timeout_seconds,
    )
    stock_changes = StockChanges(
        client, settings.task_queue, settings.ats_debounce_ms, settings.store_channels
    )
    master_data = MasterDataActivities(engine, connector, webhooks)
    available = AvailableActivities(engine, connector, webhooks, stock_changes)
    erp = ErpActivities(
        connector,
        settings.tax_tolerance_per_line,
        max_concurrent_calls=settings.erp_max_concurrent_calls,
        batch_window_seconds=settings.erp_batch_window_ms / 1000,
        batch_max=settings.erp_batch_max,
        batch_lanes=settings.erp_batch_lanes,
        unknown_customer=settings.unknown_customer,
        stock_changed=stock_changes.changed,
    )
    finance = FinanceActivities(engine, books, client, settings)
    admission = AdmissionActivities(store, finance, erp)
    daily = DailyPostingActivities(
        engine, books, settings.erp_company_id, connector, settings.erp_batch_max
    )
    stock_events = StockStoreActivities(engine, stock_changes.changed_from_thread)
    # A connector wrapped for measuring (benchmarks) books no stock events.
    stock_moves = (
        [*StockErpActivities(connector).definitions(), *stock_events.definitions()]
        if isinstance(connector, ErpStockMoves)
        else []
    )
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(settings),
        activities=[
            admission.admit,
            admission.admit_and_reserve,
            store.claim,
            store.resolve_mapping,
            store.open_exception,
            store.resolve_exceptions,
            store.record_outcome,
            erp.reserve,
            erp.book,
            erp.release_if_present,
            erp.post,
            erp.cancel_posting_if_present,
            erp.commit,
            erp.return_stock_if_present,
            erp.pay,
            erp.void_payments_if_present,
            returns.find_originals,
            receipts.review_gaps,
            *finance.definitions(),
            *daily.definitions(),
            *stock_moves,
            *master_data.definitions(),
            available.publish,
            available.stock_changed,
        ],
        activity_executor=executor,
        max_concurrent_activities=settings.max_concurrent_activities,
        max_concurrent_local_activities=settings.max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
        workflow_task_poller_behavior=PollerBehaviorSimpleMaximum(settings.workflow_task_pollers),
        # A sale's run is one task taken from the task queue itself, never from this worker's
        # sticky queue: half the polls there, not the SDK's sixth (benchmarks/pace.py, +8 %).
        nonsticky_to_sticky_poll_ratio=1.0,
        max_cached_workflows=settings.max_cached_workflows,
        interceptors=[SyncMetricsInterceptor(), *interceptors],
    )


def freeze_what_startup_made() -> None:
    """Leave the objects alive once the worker is built (modules, the SDK's, SQLAlchemy's and
    pydantic's structures) out of the cycle collector's passes: a full pass over them paused
    the process 190-230 ms at a time under load, the tail of a sale's pending-sale window
    (benchmarks/pace.py). Reference counting still frees them; only cyclic garbage among them
    stays."""
    gc.collect()
    gc.freeze()


async def run_worker(
    settings: Settings,
    client: Client,
    stop: asyncio.Event,
    interceptors: Sequence[Interceptor] = (),
) -> None:
    """Poll until ``stop`` is set, then finish in-flight tasks and close the ERP connection.
    Serves the worker's /metrics meanwhile (``TILLSYNC_WORKER_METRICS_PORT``) and refreshes
    the anomaly flags and the latest settled day's reconciliation for it."""
    connector, books = create_erp(settings)
    metrics_engine = create_store_engine(settings.resolved_store_url)
    with (
        serving_worker_metrics(settings, metrics_engine),
        ThreadPoolExecutor(max_workers=settings.max_concurrent_activities) as executor,
    ):
        worker = build_worker(client, settings, connector, books, executor, interceptors)
        freeze_what_startup_made()
        health = asyncio.create_task(
            refresh_health(metrics_engine, connector, books, settings, stop)
        )
        try:
            async with worker:
                await stop.wait()
        finally:
            health.cancel()  # a round still waiting on the ERP must not hold the shutdown
            with contextlib.suppress(asyncio.CancelledError):
                await health
            await connector.aclose()
            await books.aclose()


async def _main() -> None:
    configure_logging()
    settings = Settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await run_worker(settings, await connect(settings, temporal_runtime(settings)), stop)


def exit_without_teardown(code: int) -> None:
    """Exit without interpreter teardown: the Temporal client's Rust threads can outlive the
    event loop and abort the process while Python finalizes (temporalio/sdk-python#300)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    try:
        asyncio.run(_main())
    except CodecNotConfigured as error:
        print(f"worker: {error}", file=sys.stderr)
        exit_without_teardown(2)
    exit_without_teardown(0)
