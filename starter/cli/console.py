"""What every ``tillsync`` command shares: running its coroutine to an exit code, and rich
output (tables, progress) that stays greppable when piped. ``--json`` output never goes
through rich: it is printed as is, one JSON document (or one per line)."""

import asyncio
import sys
from collections.abc import Coroutine, Sequence
from datetime import UTC, date, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from connectors.temporal import CodecNotConfigured
from starter.codec_server.access import CodecServerMisconfigured

PIPED_WIDTH = 10_000
"""Piped output is not wrapped: a table's rows stay one line each, for grep."""


def finish(work: Coroutine[Any, Any, int]) -> None:
    """Run a command's coroutine; a non-zero result is the process's exit code (130 when
    interrupted with Ctrl-C, as before typer; 2 when the payload codec is misconfigured)."""
    try:
        code = asyncio.run(work)
    except KeyboardInterrupt:
        code = 130
    except (CodecNotConfigured, CodecServerMisconfigured) as error:
        code = fail(f"tillsync: {error}", 2)
    if code:
        raise typer.Exit(code)


def fail(message: str, code: int = 1) -> int:
    """Say what went wrong on standard error; returns the exit code to return."""
    print(message, file=sys.stderr)
    return code


def stdout_console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=PIPED_WIDTH, no_color=True)


def stderr_console() -> Console:
    return Console(stderr=True)


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    shown = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        shown.add_column(column, overflow="fold")
    for row in rows:
        shown.add_row(*row)
    return shown


def day_option(day: str | None) -> date:
    """A ``--day YYYY-MM-DD`` option's date; today (UTC) when not given."""
    try:
        return date.fromisoformat(day) if day else datetime.now(UTC).date()
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--day") from error
