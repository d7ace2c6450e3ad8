"""What Tryton's queue does after a request answered.

A button queues some of its work as tasks: confirming a sale queues its processing (shipments
and invoice), reconciling an invoice's lines queues marking it paid (and unreconciling them,
back to posted). Without a queue worker they run inline, before the response is sent; with
trytond-worker (as production runs Tryton) they run in the worker, soon after the request
answered. The connector reads the record again until the task has run, for a few seconds.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

RecordT = TypeVar("RecordT")

# Seconds between reads, about 6 s in all: a queued task usually runs well within a second.
_DELAYS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0)


async def after_queued_tasks(
    read: Callable[[], Awaitable[RecordT]], pending: Callable[[RecordT], bool]
) -> RecordT:
    """``read()`` once no longer ``pending``, or as it stands after the wait."""
    record = await read()
    for delay in _DELAYS:
        if not pending(record):
            break
        await asyncio.sleep(delay)
        record = await read()
    return record
