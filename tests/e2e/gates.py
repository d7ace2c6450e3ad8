"""Hold a chosen activity until the test lets it go, to look at the ERP between two steps."""

import asyncio
from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)


class HoldingInterceptor(Interceptor):
    """A worker interceptor that lets ``hold`` wait before each activity runs, and
    ``hold_result`` after it ran, before its result goes back to the workflow."""

    async def hold(self, info: activity.Info) -> None:
        raise NotImplementedError

    async def hold_result(self, info: activity.Info) -> None:
        return None

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _HoldingInbound(next, self)


class _HoldingInbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, holder: HoldingInterceptor) -> None:
        super().__init__(next)
        self._holder = holder

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        await self._holder.hold(activity.info())
        result = await super().execute_activity(input)
        await self._holder.hold_result(activity.info())
        return result


class ActivityGate(HoldingInterceptor):
    def __init__(self) -> None:
        self._gates: dict[str, asyncio.Event] = {}
        self.reached: dict[str, asyncio.Event] = {}

    def close(self, activity_name: str) -> None:
        self._gates[activity_name] = asyncio.Event()
        self.reached[activity_name] = asyncio.Event()

    def open(self, activity_name: str) -> None:
        self._gates.pop(activity_name).set()

    async def hold(self, info: activity.Info) -> None:
        name = info.activity_type
        event = self._gates.get(name)
        if event is not None:
            self.reached[name].set()
            await event.wait()
