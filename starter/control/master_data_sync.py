"""Master data to the tills: sync a store's now, or keep one Temporal Schedule per store that
does it every TILLSYNC_MASTERDATA_SYNC_MINUTES (the commands:
``starter.cli.master_data_commands``)."""

from datetime import UTC, datetime, timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)

from domain.settings import Settings
from starter.control.schedules import keep_schedule
from workflows.master_data_sync import (
    MasterDataSyncRequest,
    MasterDataSyncResult,
    MasterDataSyncWorkflow,
    masterdata_schedule_id,
)


def sync_request(store_id: str, settings: Settings, full: bool = False) -> MasterDataSyncRequest:
    return MasterDataSyncRequest(
        store_id=store_id, full=full, publish_attempts=settings.masterdata_publish_attempts
    )


async def sync_now(
    client: Client, settings: Settings, store_id: str, full: bool = False
) -> MasterDataSyncResult:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return await client.execute_workflow(
        MasterDataSyncWorkflow.run,
        sync_request(store_id, settings, full),
        id=f"{masterdata_schedule_id(store_id)}-manual-{stamp}",
        task_queue=settings.task_queue,
    )


async def ensure_master_data_schedules(
    client: Client, settings: Settings, store_ids: list[str]
) -> list[str]:
    """Create (or update) each store's schedule; returns the schedule ids."""
    ids = []
    for store_id in store_ids:
        schedule_id = masterdata_schedule_id(store_id)
        schedule = Schedule(
            action=ScheduleActionStartWorkflow(
                MasterDataSyncWorkflow.run,
                sync_request(store_id, settings),
                id=schedule_id,
                task_queue=settings.task_queue,
            ),
            spec=ScheduleSpec(
                intervals=[
                    ScheduleIntervalSpec(every=timedelta(minutes=settings.masterdata_sync_minutes))
                ]
            ),
            policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        )
        await keep_schedule(client, schedule_id, schedule)
        ids.append(schedule_id)
    return ids


def describe_sync(store_id: str, result: MasterDataSyncResult) -> str:
    read = result.read
    text = (
        f"store {store_id}: {read.items_read} items and {read.promotions_read} promotions read,"
        f" {read.records_changed} records changed, {read.mappings_changed} mappings"
    )
    if result.failure:
        return f"{text}; publication FAILED (exception opened): {result.failure}"
    pushed = result.pushed
    if pushed and pushed.pushed:
        return f"{text}; pushed {pushed.articles} articles and {pushed.promotions} promotions"
    return f"{text}; nothing pushed (no webhook, or nothing new)"
