"""``tillsync exceptions ack|assign|note``: acknowledge, assign or annotate one exception, or
all the open ones matching the page's filters (--role/--owner, --kind, --store); recorded
as the page records them (starter.control.queue_lifecycle)."""

import asyncio
import getpass
from datetime import UTC, datetime
from typing import Annotated

import typer

from domain.operator import LifecycleAction, LifecycleChange, lifecycle_problem
from domain.settings import Settings
from starter.cli.console import fail, finish
from starter.cli.exception_commands import Ids, Kind, Role, Store, queue_of
from starter.control.exception_queue import QueueFilter, QueueItem

By = Annotated[str | None, typer.Option("--by", help="who records it (default: your login name)")]
AsJson = Annotated[
    bool, typer.Option("--json", help="each exception changed, as `exceptions list --json`")
]


def register(exceptions_app: typer.Typer) -> None:
    exceptions_app.command("ack", help="acknowledge exceptions: you are on them")(ack)
    exceptions_app.command("assign", help="assign exceptions to an operator of the page")(assign)
    exceptions_app.command("note", help="leave a note on exceptions")(note)


def ack(
    ids: Ids = None,
    role: Role = None,
    kind: Kind = None,
    store: Store = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    change = LifecycleChange(action=LifecycleAction.ACKNOWLEDGE, operator=by or _login())
    finish(
        record(Settings(), QueueFilter(role=role, kind=kind, store_id=store), ids, change, as_json)
    )


def assign(
    to: Annotated[str, typer.Option("--to", help="the operator (as the page knows them)")],
    ids: Ids = None,
    role: Role = None,
    kind: Kind = None,
    store: Store = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    change = LifecycleChange(action=LifecycleAction.ASSIGN, operator=by or _login(), assignee=to)
    finish(
        record(Settings(), QueueFilter(role=role, kind=kind, store_id=store), ids, change, as_json)
    )


def note(
    text: Annotated[str, typer.Option("--text", help="the note")],
    ids: Ids = None,
    role: Role = None,
    kind: Kind = None,
    store: Store = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    change = LifecycleChange(action=LifecycleAction.NOTE, operator=by or _login(), text=text)
    finish(
        record(Settings(), QueueFilter(role=role, kind=kind, store_id=store), ids, change, as_json)
    )


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container's unnamed uid)
        return ""


async def record(
    settings: Settings,
    selection: QueueFilter,
    ids: list[int] | None,
    change: LifecycleChange,
    as_json: bool,
) -> int:
    """Record ``change`` on the open exceptions named (within the filter, if any) or on all
    matching the filter; never on the whole queue unasked. Exit 2 when nothing was recorded
    because the request was wrong."""
    from starter.control.queue_lifecycle import record_lifecycle
    from store.db import create_store_engine

    if not (ids or selection.role or selection.kind or selection.store_id):
        return fail("name exception ids or a filter (--role/--owner, --kind, --store)", 2)
    if problem := lifecycle_problem(change, await asyncio.to_thread(_operator_names, settings)):
        return fail(problem, 2)
    selection = selection.model_copy(update={"exception_ids": ids or []})
    items = await asyncio.to_thread(queue_of, settings, selection)
    if ids:
        missing = sorted(set(ids) - {item.id for item in items})
        if missing:
            return fail(f"not open (or outside the filter): {missing}", 2)
    chosen = [item.id for item in items]
    engine = create_store_engine(settings.resolved_store_url)
    await asyncio.to_thread(record_lifecycle, engine, chosen, change, datetime.now(UTC))
    changed = await asyncio.to_thread(
        queue_of, settings, QueueFilter(exception_ids=chosen) if chosen else selection
    )
    _report(change, changed if chosen else [], as_json)
    return 0


def _report(change: LifecycleChange, items: list[QueueItem], as_json: bool) -> None:
    if as_json:
        for item in items:
            print(item.model_dump_json())
        return
    if not items:
        print("no open exception matches")
        return
    done = {
        LifecycleAction.ACKNOWLEDGE: f"acknowledged by {change.operator}",
        LifecycleAction.ASSIGN: f"assigned to {change.assignee} by {change.operator}",
        LifecycleAction.NOTE: f"noted by {change.operator}",
    }[change.action]
    numbers = ", ".join(str(item.id) for item in items)
    print(f"{len(items)} exceptions {done}: {numbers}")


def _operator_names(settings: Settings) -> list[str]:
    """The page's operators: configured, else the embedded stack's (``tillsync dev``)."""
    from starter.health_page.auth import Operators
    from starter.health_page.dev_operators import dev_users_file

    configured = settings.health_users_file or settings.health_users.get_secret_value()
    if not configured and dev_users_file(settings).exists():
        settings = settings.model_copy(update={"health_users_file": dev_users_file(settings)})
    return Operators.from_settings(settings).names()
