"""Temporal Schedules that tillsync keeps, one per store and job: created, or brought up to date
when they already run."""

from temporalio.client import (
    Client,
    Schedule,
    ScheduleAlreadyRunningError,
    ScheduleUpdate,
    ScheduleUpdateInput,
)


async def keep_schedule(client: Client, schedule_id: str, schedule: Schedule) -> str:
    """Create the schedule, or replace a running one's definition with ``schedule``."""
    try:
        await client.create_schedule(schedule_id, schedule)
    except ScheduleAlreadyRunningError:

        def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(replace)
    return schedule_id
