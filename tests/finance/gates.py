"""Hold one activity of one workflow until the test lets it go (other runs pass freely)."""

import asyncio

from temporalio import activity

from tests.e2e.gates import HoldingInterceptor


class RunGate(HoldingInterceptor):
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

    async def hold(self, info: activity.Info) -> None:
        key = (info.activity_type, info.workflow_id or "")
        event = self.held(key)
        if event is not None:
            self.reached[key].set()
            await event.wait()
