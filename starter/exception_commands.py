"""``tillsync exceptions list|retry|abandon`` (the page's filters: --role, --kind, --store),
``tillsync exceptions hash-password`` (for the operators' configuration) and ``tillsync
health`` (the sync-health page on its own)."""

import argparse
import asyncio
import getpass
import sys
from typing import Any

from domain.operator import OperatorAction
from domain.outcomes import ExceptionKind, ExceptionOwner
from domain.settings import Settings
from starter.exception_queue import QueueFilter, QueueItem


def add_exception_commands(commands: "argparse._SubParsersAction[Any]") -> None:
    exceptions = commands.add_parser("exceptions", help="the exception queue, by owner and kind")
    actions = exceptions.add_subparsers(required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="open exceptions, oldest first")
    _filters(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per exception")
    listing.set_defaults(handler=_list)

    retry = actions.add_parser("retry", help="retry the parked runs behind exceptions")
    _targets(retry)
    retry.add_argument("--note", default="", help="kept with the retry")
    retry.set_defaults(handler=_retry)

    abandon = actions.add_parser("abandon", help="give up the parked runs behind exceptions")
    _targets(abandon)
    abandon.add_argument("--reason", required=True)
    abandon.set_defaults(handler=_abandon)

    hashing = actions.add_parser(
        "hash-password", help="a password hash for TILLSYNC_HEALTH_USERS (reads the password)"
    )
    hashing.set_defaults(handler=_hash_password)

    health = commands.add_parser("health", help="serve the sync-health page until Ctrl-C")
    health.add_argument("--port", type=int, help="default: TILLSYNC_HEALTH_PORT (8090)")
    health.set_defaults(handler=_serve)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", choices=[owner.value for owner in ExceptionOwner])
    parser.add_argument("--kind", choices=[kind.value for kind in ExceptionKind])
    parser.add_argument("--store")


def _targets(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="*", type=int, metavar="ID", help="exception ids")
    _filters(parser)


def _selection(args: argparse.Namespace) -> QueueFilter:
    return QueueFilter(
        role=ExceptionOwner(args.role) if args.role else None,
        kind=ExceptionKind(args.kind) if args.kind else None,
        store_id=args.store,
    )


def _queue(settings: Settings, selection: QueueFilter) -> list[QueueItem]:
    from starter.exception_queue import list_queue
    from store.db import create_store_engine

    engine = create_store_engine(settings.resolved_store_url)
    return list_queue(engine, settings, selection, set(ExceptionOwner))


async def _list(args: argparse.Namespace, settings: Settings) -> int:
    for item in await asyncio.to_thread(_queue, settings, _selection(args)):
        if args.json:
            print(item.model_dump_json())
            continue
        state = f"assigned to {item.assignee}" if item.assignee else ""
        if item.acknowledged_by:
            state = f"acknowledged by {item.acknowledged_by} {state}".strip()
        print(
            f"{item.id:>6} {item.kind:<22} {item.owner.value:<9} {item.store_id:<8}"
            f" {item.transaction_id or '-':<24} {item.age:>8}  {item.message}"
            + (f"  [{state}]" if state else "")
        )
    return 0


async def _retry(args: argparse.Namespace, settings: Settings) -> int:
    return await _act(args, settings, OperatorAction.RETRY, args.note)


async def _abandon(args: argparse.Namespace, settings: Settings) -> int:
    if not (args.ids or args.role or args.kind or args.store):
        print("name exception ids or a filter (--role, --kind, --store)", file=sys.stderr)
        return 2
    return await _act(args, settings, OperatorAction.ABANDON, args.reason)


async def _act(
    args: argparse.Namespace, settings: Settings, action: OperatorAction, text: str
) -> int:
    from starter.exception_queue import act_on
    from worker import connect

    selection = _selection(args).model_copy(update={"exception_ids": args.ids})
    items = await asyncio.to_thread(_queue, settings, selection)
    if args.ids:
        found = {item.id: item for item in items}
        missing = [number for number in args.ids if number not in found]
        if missing:
            print(f"not open (or outside the filter): {missing}", file=sys.stderr)
            return 2
        items = [found[number] for number in args.ids]
    replies = await act_on(await connect(settings), items, action, text)
    if not replies:
        print("no parked run stands behind these exceptions")
    for reply in replies:
        print(f"{reply.workflow_id}: {reply.message}")
    return 1 if any(not reply.accepted for reply in replies) else 0


async def _hash_password(args: argparse.Namespace, settings: Settings) -> int:
    from starter.health_page.passwords import hash_password

    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline()
    password = password.rstrip("\n")
    if not password:
        print("an empty password", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


async def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import signal

    from starter.health_page.server import page_url, serve_health_page
    from worker import configure_logging, connect

    configure_logging()
    if args.port:
        settings = settings.model_copy(update={"health_port": args.port})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(f"Sync health: {page_url(settings)}", flush=True)
    await serve_health_page(settings, await connect(settings), stop)
    return 0
