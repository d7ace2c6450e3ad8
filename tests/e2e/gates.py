"""Hold a chosen activity until the test lets it go, to look at the ERP between two steps."""

import asyncio
from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)


class ActivityGate(Interceptor):
    def __init__(self) -> None:
        self._gates: dict[str, asyncio.Event] = {}
        self.reached: dict[str, asyncio.Event] = {}

    def close(self, activity_name: str) -> None:
        self._gates[activity_name] = asyncio.Event()
        self.reached[activity_name] = asyncio.Event()

    def open(self, activity_name: str) -> None:
        self._gates.pop(activity_name).set()

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _GateInbound(next, self)


class _GateInbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, gate: ActivityGate) -> None:
        super().__init__(next)
        self._gate = gate

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        name = activity.info().activity_type
        event = self._gate._gates.get(name)
        if event is not None:
            self._gate.reached[name].set()
            await event.wait()
        return await super().execute_activity(input)
