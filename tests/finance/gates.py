"""Hold one activity of one workflow until the test lets it go (other runs pass freely)."""

import asyncio
from typing import Any

from temporalio import activity
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor


class RunGate(Interceptor):
    def __init__(self) -> None:
        self._gates: dict[tuple[str, str], asyncio.Event] = {}
        self.reached: dict[tuple[str, str], asyncio.Event] = {}

    def close(self, activity_name: str, workflow_id: str) -> tuple[str, str]:
        key = (activity_name, workflow_id)
        self._gates[key] = asyncio.Event()
        self.reached[key] = asyncio.Event()
        return key

    def open(self, key: tuple[str, str]) -> None:
        self._gates.pop(key).set()

    def held(self, key: tuple[str, str]) -> asyncio.Event | None:
        return self._gates.get(key)

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Inbound(next, self)


class _Inbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, gate: RunGate) -> None:
        super().__init__(next)
        self._gate = gate

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        key = (info.activity_type, info.workflow_id or "")
        event = self._gate.held(key)
        if event is not None:
            self._gate.reached[key].set()
            await event.wait()
        return await super().execute_activity(input)
