"""``tillsync masterdata sync|schedule``: a store's items, prices and promotions to its tills
now, or every TILLSYNC_MASTERDATA_SYNC_MINUTES (their logic:
``starter.control.master_data_sync``)."""

from typing import Annotated

import typer

from domain.settings import Settings
from starter.cli.console import finish

masterdata_app = typer.Typer(help="items, prices, promotions to the tills", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(masterdata_app, name="masterdata")


@masterdata_app.command(help="sync a store now and wait for it")
def sync(
    store: Annotated[str, typer.Option("--store")],
    full: Annotated[bool, typer.Option("--full", help="read everything, not a delta")] = False,
) -> None:
    finish(sync_store(Settings(), store, full))


@masterdata_app.command(help="one Temporal Schedule per store")
def schedule(
    store: Annotated[
        list[str] | None, typer.Option("--store", help="default: every mapped store")
    ] = None,
) -> None:
    finish(schedule_stores(Settings(), store or []))


async def sync_store(settings: Settings, store_id: str, full: bool) -> int:
    from connectors.temporal.client import connect
    from starter.control.master_data_sync import describe_sync, sync_now

    result = await sync_now(await connect(settings), settings, store_id, full)
    print(describe_sync(store_id, result))
    return 1 if result.failure else 0


async def schedule_stores(settings: Settings, store_ids: list[str]) -> int:
    from connectors.temporal.client import connect
    from starter.control.daily_posting import mapped_stores
    from starter.control.master_data_sync import ensure_master_data_schedules

    stores = store_ids or mapped_stores(settings)
    for schedule_id in await ensure_master_data_schedules(
        await connect(settings), settings, stores
    ):
        print(f"schedule {schedule_id}: every {settings.masterdata_sync_minutes} min")
    return 0
