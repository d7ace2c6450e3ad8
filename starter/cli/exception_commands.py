"""``tillsync exceptions list|retry|abandon`` (the page's filters: --role/--owner, --kind,
--store; ack|assign|note: ``starter.cli.lifecycle_commands``),
``tillsync exceptions hash-password`` (for the operators' configuration) and ``tillsync
health`` (the sync-health page on its own)."""

import asyncio
import getpass
import sys
from typing import Annotated

import typer

from domain.operator import OperatorAction
from domain.outcomes import ExceptionKind, ExceptionOwner
from domain.settings import Settings
from starter.cli.console import fail, finish, stdout_console, table
from starter.control.exception_queue import QueueFilter, QueueItem

exceptions_app = typer.Typer(help="the exception queue, by owner and kind", no_args_is_help=True)

Role = Annotated[
    ExceptionOwner | None, typer.Option("--role", "--owner", help="whose queue: owner role")
]
Kind = Annotated[ExceptionKind | None, typer.Option("--kind", help="one kind of exception")]
Store = Annotated[str | None, typer.Option("--store", help="one store's exceptions")]
Ids = Annotated[list[int] | None, typer.Argument(metavar="ID...", help="exception ids")]


def register(app: typer.Typer) -> None:
    from starter.cli import lifecycle_commands

    lifecycle_commands.register(exceptions_app)
    app.add_typer(exceptions_app, name="exceptions")
    app.command(help="serve the sync-health page until Ctrl-C")(health)


@exceptions_app.command("list", help="open exceptions, oldest first")
def list_command(
    role: Role = None,
    kind: Kind = None,
    store: Store = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per exception")] = False,
) -> None:
    finish(list_exceptions(Settings(), QueueFilter(role=role, kind=kind, store_id=store), as_json))


@exceptions_app.command("retry", help="retry the parked runs behind exceptions")
def retry_command(
    ids: Ids = None,
    role: Role = None,
    kind: Kind = None,
    store: Store = None,
    note: Annotated[str, typer.Option(help="kept with the retry")] = "",
) -> None:
    selection = QueueFilter(role=role, kind=kind, store_id=store)
    finish(act(Settings(), selection, ids or [], OperatorAction.RETRY, note))


@exceptions_app.command("abandon", help="give up the parked runs behind exceptions")
def abandon_command(
    reason: Annotated[str, typer.Option("--reason")],
    ids: Ids = None,
    role: Role = None,
    kind: Kind = None,
    store: Store = None,
) -> None:
    selection = QueueFilter(role=role, kind=kind, store_id=store)
    finish(act(Settings(), selection, ids or [], OperatorAction.ABANDON, reason))


@exceptions_app.command(
    "hash-password", help="a password hash for TILLSYNC_HEALTH_USERS (reads the password)"
)
def hash_password_command() -> None:
    from starter.health_page.passwords import hash_password

    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline()
    password = password.rstrip("\n")
    if not password:
        raise typer.Exit(fail("an empty password", 2))
    print(hash_password(password))


def health(
    port: Annotated[int | None, typer.Option(help="default: TILLSYNC_HEALTH_PORT (8090)")] = None,
) -> None:
    finish(serve(Settings(), port))


def queue_of(settings: Settings, selection: QueueFilter) -> list[QueueItem]:
    """The open exceptions matching ``selection``: the CLI sees every owner's."""
    from starter.control.exception_queue import list_queue
    from store.db import create_store_engine

    engine = create_store_engine(settings.resolved_store_url)
    return list_queue(engine, settings, selection, set(ExceptionOwner))


async def list_exceptions(settings: Settings, selection: QueueFilter, as_json: bool) -> int:
    items = await asyncio.to_thread(queue_of, settings, selection)
    if as_json:
        for item in items:
            print(item.model_dump_json())
        return 0
    columns = ["id", "kind", "owner", "store", "transaction", "age", "message", "state"]
    rows = [
        [
            str(item.id),
            item.kind,
            item.owner.value,
            item.store_id,
            item.transaction_id or "-",
            item.age,
            item.message,
            _state(item),
        ]
        for item in items
    ]
    stdout_console().print(table(f"{len(rows)} open exceptions", columns, rows))
    return 0


def _state(item: QueueItem) -> str:
    state = f"assigned to {item.assignee}" if item.assignee else ""
    if item.acknowledged_by:
        state = f"acknowledged by {item.acknowledged_by} {state}".strip()
    return state


async def act(
    settings: Settings,
    selection: QueueFilter,
    ids: list[int],
    action: OperatorAction,
    text: str,
) -> int:
    """Retry or abandon the parked runs behind the exceptions named (or filtered): abandoning
    needs ids or a filter, never the whole queue."""
    from connectors.temporal.client import connect
    from starter.control.exception_queue import act_on

    filtered = selection.role or selection.kind or selection.store_id
    if action is OperatorAction.ABANDON and not (ids or filtered):
        return fail("name exception ids or a filter (--role/--owner, --kind, --store)", 2)
    selection = selection.model_copy(update={"exception_ids": ids})
    items = await asyncio.to_thread(queue_of, settings, selection)
    if ids:
        found = {item.id: item for item in items}
        missing = [number for number in ids if number not in found]
        if missing:
            return fail(f"not open (or outside the filter): {missing}", 2)
        items = [found[number] for number in ids]
    replies = await act_on(await connect(settings), items, action, text)
    if not replies:
        print("no parked run stands behind these exceptions")
    for reply in replies:
        print(f"{reply.workflow_id}: {reply.message}")
    return 1 if any(not reply.accepted for reply in replies) else 0


async def serve(settings: Settings, port: int | None) -> int:
    import signal

    from connectors.temporal.client import connect
    from starter.health_page.server import page_url, serve_health_page
    from worker import configure_logging

    configure_logging()
    if port:
        settings = settings.model_copy(update={"health_port": port})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(f"Sync health: {page_url(settings)}", flush=True)
    await serve_health_page(settings, await connect(settings), stop)
    return 0
