"""Heartbeats while an activity waits on the ERP: a worker that dies mid-call is noticed within
the heartbeat timeout, not after the whole start-to-close timeout."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio import activity

HEARTBEAT_EVERY_SECONDS = 2.0


@asynccontextmanager
async def heartbeating() -> AsyncIterator[None]:
    """Local activities run inside the workflow task, which has its own liveness: they skip."""
    if activity.info().is_local:
        yield
        return
    heartbeat = asyncio.create_task(_heartbeat_forever())
    try:
        yield
    finally:
        heartbeat.cancel()


async def _heartbeat_forever() -> None:
    while True:
        activity.heartbeat()
        await asyncio.sleep(HEARTBEAT_EVERY_SECONDS)
