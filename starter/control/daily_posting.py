"""Daily consolidated postings: one Temporal Schedule per store, a run now for one store, and
how a run's batches read to finance."""

from datetime import UTC, date, datetime, timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
)

from domain.consolidation import DailyPostingRequest, DailyPostingResult
from domain.settings import Settings
from starter.control.schedules import keep_schedule
from store.db import create_store_engine, session_scope
from store.mappings import mapped_store_ids
from workflows.daily_posting import DailyPostingWorkflow, daily_posting_schedule_id


def daily_posting_schedule(store_id: str, settings: Settings) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DailyPostingWorkflow.run,
            DailyPostingRequest(store_id=store_id),
            id=daily_posting_schedule_id(store_id),
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    hour=[ScheduleRange(settings.daily_posting_hour)],
                    minute=[ScheduleRange(0)],
                    second=[ScheduleRange(0)],
                )
            ]
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=1)),
    )


async def ensure_daily_posting_schedules(
    client: Client, settings: Settings, store_ids: list[str]
) -> list[str]:
    """Create (or update) each store's schedule; returns the schedule ids."""
    return [
        await keep_schedule(
            client, daily_posting_schedule_id(store_id), daily_posting_schedule(store_id, settings)
        )
        for store_id in store_ids
    ]


async def run_daily_posting(
    client: Client, task_queue: str, store_id: str, through: date | None = None
) -> DailyPostingResult:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return await client.execute_workflow(
        DailyPostingWorkflow.run,
        DailyPostingRequest(store_id=store_id, through=through),
        id=f"{daily_posting_schedule_id(store_id)}-manual-{stamp}",
        task_queue=task_queue,
    )


def mapped_stores(settings: Settings) -> list[str]:
    with session_scope(create_store_engine(settings.resolved_store_url)) as session:
        return mapped_store_ids(session)


def describe_daily_posting(result: DailyPostingResult) -> list[str]:
    lines = []
    for batch in result.batches:
        where = f"ERP {batch.move_number} on {batch.posting_date}" if batch.posted else "refused"
        lines.append(
            f"{batch.key}: {batch.ticket_count} tickets, {where} {batch.refusal or ''}".rstrip()
        )
    return lines or [f"nothing waits for store {result.store_id} through {result.through}"]
