"""A sale's whole hot path in its admission (patch express-admission): the claim, the mapping,
the posting plan, the reservation and, in daily mode, the journal, in one local activity. The
run's history is the evidence of which steps ran where; the ERP's and the store's own records
are the evidence of what was booked."""

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowFailureError, WorkflowHistory
from temporalio.exceptions import CancelledError
from temporalio.testing import WorkflowEnvironment

from connectors.erp.memory import MemoryErp
from domain.outcomes import Outcome
from domain.periods import PostingMode
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.intake.submission import Submitter
from tests.e2e.helpers import new_id, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import (
    BOOKED,
    exceptions_of,
    journal_of,
    patch_markers,
    replays_cleanly,
    upserts,
)
from tests.sample_data import demo_memory_erp
from worker import build_worker

pytestmark = pytest.mark.temporal

ON_HAND = Decimal(5)


@pytest.fixture(scope="module")
def daily_erp() -> MemoryErp:
    """The daily worker's own ERP: a few of each product, so that a sale can outsell it."""
    return demo_memory_erp(on_hand=ON_HAND)


@pytest.fixture(scope="module")
def daily_settings(memory_settings: Settings) -> Settings:
    return memory_settings.model_copy(
        update={"task_queue": "tillsync-memory-daily", "erp_posting_mode": PostingMode.DAILY}
    )


@pytest.fixture(scope="module")
async def daily_submitter(
    skipping_env: WorkflowEnvironment,
    daily_settings: Settings,
    memory_engine: Engine,
    daily_erp: MemoryErp,
) -> AsyncIterator[Submitter]:
    with ThreadPoolExecutor(max_workers=daily_settings.max_concurrent_activities) as executor:
        worker = build_worker(
            skipping_env.client, daily_settings, daily_erp, daily_erp, executor=executor
        )
        async with worker:
            yield Submitter(skipping_env.client, memory_engine, daily_settings.task_queue)


def counted_metrics() -> Counter[str]:
    """The worker's ticket counter (store S001, posted) and its stage latency counts."""
    samples = {
        "posted_tickets": ("tillsync_tickets_total", {"store": "S001", "outcome": "posted"}),
        "reserved_timed": ("tillsync_stage_latency_seconds_count", {"stage": "reserved"}),
        "posted_timed": ("tillsync_stage_latency_seconds_count", {"stage": "posted"}),
    }
    return Counter(
        {key: int(REGISTRY.get_sample_value(*sample) or 0) for key, sample in samples.items()}
    )


def local_activities(history: WorkflowHistory) -> list[str]:
    """The types of the local activities the run recorded, in order."""
    return [
        json.loads(marker.details["data"].payloads[0].data)["activity_type"]
        for event in history.events
        if (marker := event.marker_recorded_event_attributes).marker_name == "core_local_activity"
    ]


def activities(history: WorkflowHistory) -> list[str]:
    """The types of the (not local) activities the run scheduled, in order."""
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
    ]


async def test_a_daily_sale_is_reserved_and_journaled_by_its_admission_alone(
    daily_submitter: Submitter, client: Client, daily_erp: MemoryErp, memory_engine: Engine
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100002", "2", "9.00")])
    counted_before = counted_metrics()

    result = await submit_and_wait(daily_submitter, client, txn)

    assert result.outcome is Outcome.POSTED, result
    assert daily_erp.effects(txn.workflow_id) == {"reserved": 1}, "issued by the day's posting"
    counted = counted_metrics() - counted_before
    assert counted == Counter(posted_tickets=1, reserved_timed=1, posted_timed=1), counted
    history = await client.get_workflow_handle(txn.workflow_id).fetch_history()
    assert local_activities(history) == ["ticket.admit_and_reserve"]
    assert activities(history) == []
    assert patch_markers(history) == []
    assert upserts(history) == [("SyncStage", "posted")], "one visibility write a sale"
    entry = journal_of(memory_engine, txn.workflow_id)
    assert (entry["outcome"], entry["erp_reference"]) == ("posted", txn.workflow_id)
    assert entry["posting_mode"] == "daily"
    assert entry["breakdown"]["booking"] is not None, "what the day's posting books"
    assert not exceptions_of(memory_engine, txn.workflow_id)
    await replays_cleanly(client, txn.workflow_id)


async def test_a_sale_beyond_stock_is_reserved_by_its_admission_and_noticed_by_the_saga(
    daily_submitter: Submitter, client: Client, daily_erp: MemoryErp, memory_engine: Engine
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100003", "7", "2.40")])
    before = daily_erp.stock_of("BISC-001", "WH-LON")

    result = await submit_and_wait(daily_submitter, client, txn)

    assert result.outcome is Outcome.POSTED, result
    assert daily_erp.effects(txn.workflow_id) == {"reserved": 1}
    assert daily_erp.stock_of("BISC-001", "WH-LON").available == before.available - 7
    history = await client.get_workflow_handle(txn.workflow_id).fetch_history()
    assert local_activities(history) == [
        "ticket.admit_and_reserve",
        "store.open_exception",
        "store.record_outcome",
    ], "the notice first, then the journal, as the saga always wrote them"
    assert "negative_stock" in exceptions_of(memory_engine, txn.workflow_id)
    assert journal_of(memory_engine, txn.workflow_id)["outcome"] == "posted"
    await replays_cleanly(client, txn.workflow_id)


async def test_a_per_ticket_sale_is_reserved_by_its_admission_and_booked_by_the_saga(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])

    result = await submit_and_wait(submitter, client, txn)

    assert result.outcome is Outcome.POSTED, result
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    history = await client.get_workflow_handle(txn.workflow_id).fetch_history()
    assert local_activities(history) == ["ticket.admit_and_reserve", "store.record_outcome"]
    assert activities(history) == ["erp.book"]
    assert journal_of(memory_engine, txn.workflow_id)["erp_invoice_id"] is not None
    await replays_cleanly(client, txn.workflow_id)


async def test_a_return_is_reserved_by_its_stock_stage_once_its_original_is_found(
    daily_submitter: Submitter, client: Client, daily_erp: MemoryErp
) -> None:
    sale = make_sale(new_id(), [sale_line(1, "100002", "2", "9.00")])
    assert (await submit_and_wait(daily_submitter, client, sale)).outcome is Outcome.POSTED
    refund = make_sale(
        new_id(),
        [
            sale_line(
                1,
                "100002",
                "-1",
                "9.00",
                return_of={"transaction_id": sale.transaction_id, "line_number": 1},
            )
        ],
        receipt_number=2,
        kind="return",
    )

    result = await submit_and_wait(daily_submitter, client, refund)

    assert result.outcome is Outcome.POSTED, result
    history = await client.get_workflow_handle(refund.workflow_id).fetch_history()
    steps = local_activities(history)
    assert steps[:3] == ["ticket.admit_and_reserve", "returns.find_originals", "erp.reserve"]
    assert "reserved" in daily_erp.effects(refund.workflow_id)
    await replays_cleanly(client, refund.workflow_id)


async def cancelled_as_it_starts(
    submitter: Submitter, client: Client, erp: MemoryErp, txn: PosTransaction
) -> None:
    """Submit, and cancel at once, while the admission waits on the ERP (slowed down)."""
    erp.slow_down("reserve_many", 1.0)
    try:
        await submitter.submit(txn)
        await client.get_workflow_handle(txn.workflow_id).cancel()
        await cancelled(client, txn.workflow_id)
    finally:
        erp.clear_faults()


async def cancelled(client: Client, workflow_id: str) -> None:
    async with asyncio.timeout(20):
        with pytest.raises(WorkflowFailureError) as failed:
            await client.get_workflow_handle(workflow_id).result()
    assert isinstance(failed.value.cause, CancelledError), failed.value.cause


async def test_a_cancel_as_the_admission_reserves_what_it_cannot_journal_gives_it_back(
    daily_submitter: Submitter, client: Client, daily_erp: MemoryErp
) -> None:
    """Sent as the run starts, the cancel reaches it with its first workflow task (or fails
    that task, which held the admission, slowed by the ERP, and is run again): the run lets
    the admission finish, and gives back the stock it reserved beyond what the ERP counts and
    left for the saga to journal."""
    txn = make_sale(new_id(), [sale_line(1, "100005", "8", "1.20")])
    bags = daily_erp.stock_of("BAG-001", "WH-LON")
    await cancelled_as_it_starts(daily_submitter, client, daily_erp, txn)

    assert daily_erp.effects(txn.workflow_id) == {"reserved": 1, "released": 1}
    assert daily_erp.stock_of("BAG-001", "WH-LON") == bags
    await replays_cleanly(client, txn.workflow_id)


async def test_a_cancel_while_the_admission_books_a_daily_sale_leaves_it_booked(
    daily_submitter: Submitter, client: Client, daily_erp: MemoryErp, memory_engine: Engine
) -> None:
    """Reserved and journaled by then, the sale stands as the day's posting will issue it:
    the books and the ERP agree, as for a cancel a moment later, once the run has ended."""
    txn = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])
    await cancelled_as_it_starts(daily_submitter, client, daily_erp, txn)

    assert daily_erp.effects(txn.workflow_id) == {"reserved": 1}
    entry = journal_of(memory_engine, txn.workflow_id)
    assert (entry["outcome"], entry["erp_reference"]) == ("posted", txn.workflow_id)
    await replays_cleanly(client, txn.workflow_id)
