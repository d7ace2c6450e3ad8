"""``tillsync submit --stock-events PATH...``: transfer and purchase-receipt events from files
(canonical JSON: one event, an array, or JSON lines), each started as its saga, in file order
(a transfer's receipt after its dispatch)."""

from collections.abc import Callable, Iterable
from pathlib import Path

from connectors.pos.canonical_stock import parse_stock_events
from domain.outcomes import Outcome
from domain.settings import Settings
from domain.stock_events import AnyStockEvent
from starter.intake.loading import append_rejects, expand_paths
from starter.intake.stock_submission import StockSubmitter
from starter.intake.submission import SubmitResult
from store.db import create_store_engine


async def submit_stock_events(
    paths: Iterable[Path],
    settings: Settings,
    *,
    wait: bool,
    report: Callable[[SubmitResult], None],
) -> int:
    """Start every valid event; report each result (rejects too). 1 when any was rejected."""
    from connectors.temporal.client import connect

    events: list[AnyStockEvent] = []
    rejected = 0
    for path in expand_paths(paths):
        parsed = parse_stock_events(path.read_bytes())
        events += [event for _, event in parsed.events]
        rejected += append_rejects(settings.rejects_file, str(path), parsed.rejects)
        for item in parsed.rejects:
            report(
                SubmitResult(
                    transaction_id=item.transaction_id or f"{path.name}#{item.source_index}",
                    workflow_id="",
                    outcome=Outcome.REJECTED,
                    errors=[f"{error.field}: {error.reason}" for error in item.errors],
                )
            )
    submitter = StockSubmitter(
        await connect(settings),
        create_store_engine(settings.resolved_store_url),
        settings.task_queue,
    )
    for result in await submitter.submit_all(events, wait=wait):
        report(result)
    return 1 if rejected else 0
