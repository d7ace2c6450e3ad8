"""Hold one activity of one workflow until the test lets it go (other runs pass freely): before
it runs, or, ``after``, once it ran and before its result goes back to the workflow (the run
stays in flight with the step's effects done)."""

import asyncio

from temporalio import activity

from tests.e2e.gates import HoldingInterceptor

GateKey = tuple[str, str, bool]


class RunGate(HoldingInterceptor):
    def __init__(self) -> None:
        self._gates: dict[GateKey, asyncio.Event] = {}
        self.reached: dict[GateKey, asyncio.Event] = {}

    def close(self, activity_name: str, workflow_id: str, *, after: bool = False) -> GateKey:
        key = (activity_name, workflow_id, after)
        self._gates[key] = asyncio.Event()
        self.reached[key] = asyncio.Event()
        return key

    def open(self, key: GateKey) -> None:
        self._gates.pop(key).set()

    async def hold(self, info: activity.Info) -> None:
        await self._wait((info.activity_type, info.workflow_id or "", False))

    async def hold_result(self, info: activity.Info) -> None:
        await self._wait((info.activity_type, info.workflow_id or "", True))

    async def _wait(self, key: GateKey) -> None:
        event = self._gates.get(key)
        if event is not None:
            self.reached[key].set()
            await event.wait()
