"""Which patches a run takes, and what it writes to find it (workflows/patches.py): a run
started by this release's starter names its bundle in its input and records no patch marker;
a run started without one (a starter of an earlier release) asks by marker, as runs always
did; one naming an older bundle takes that bundle and asks for each later patch. All
are booked alike, and their histories replay on this code."""

import pytest
from temporalio.client import Client, WorkflowHistory

from connectors.erp.memory import MemoryErp
from domain.outcomes import Outcome
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.intake.submission import Submitter
from tests.e2e.helpers import new_id, start_directly, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import BOOKED, patch_markers, replays_cleanly, upserts
from workflows import patches

pytestmark = pytest.mark.temporal


async def run_started_with(
    client: Client, settings: Settings, txn: PosTransaction, bundle: str | None
) -> WorkflowHistory:
    handle = await start_directly(client, txn, settings.task_queue, patch_bundle=bundle)
    assert (await handle.result()).outcome is Outcome.POSTED
    return await handle.fetch_history()


async def test_a_run_of_this_starter_records_no_marker_and_writes_only_where_it_waits(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])

    assert (await submit_and_wait(submitter, client, txn)).outcome is Outcome.POSTED

    history = await client.get_workflow_handle(txn.workflow_id).fetch_history()
    assert patch_markers(history) == []
    assert upserts(history) == [("SyncStage", "posting"), ("SyncStage", "posted")], (
        "reserved by its admission, the run never waited at reserving; it waits for its books"
    )
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    await replays_cleanly(client, txn.workflow_id)


async def test_a_run_started_without_a_bundle_asks_by_marker_and_is_booked_the_same(
    client: Client, memory_settings: Settings, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])

    history = await run_started_with(client, memory_settings, txn, None)

    assert patch_markers(history) == [patches.NEWEST_BUNDLE]
    assert upserts(history) == [
        ("TemporalChangeVersion", [patches.NEWEST_BUNDLE]),
        ("SyncStage", "posting"),
        ("SyncStage", "posted"),
    ]
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    await replays_cleanly(client, txn.workflow_id)


async def test_a_run_naming_an_older_bundle_asks_for_each_later_patch(
    client: Client, memory_settings: Settings, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])

    history = await run_started_with(client, memory_settings, txn, patches.FOURTH_BUNDLE)

    assert patch_markers(history) == [*patches.FIFTH_BUNDLED, *patches.SIXTH_BUNDLED]
    assert [value for name, value in upserts(history) if name == "SyncStage"] == [
        "posting",
        "posted",
    ]
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    await replays_cleanly(client, txn.workflow_id)


async def test_a_run_naming_a_bundle_this_worker_does_not_know_asks_by_marker(
    client: Client, memory_settings: Settings, memory_erp: MemoryErp
) -> None:
    """A starter rolled out before the workers: they take the run as they know how."""
    txn = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])

    history = await run_started_with(client, memory_settings, txn, "patches-2099-01-a")

    assert patch_markers(history) == [patches.NEWEST_BUNDLE]
    assert memory_erp.effects(txn.workflow_id) == BOOKED
    await replays_cleanly(client, txn.workflow_id)
