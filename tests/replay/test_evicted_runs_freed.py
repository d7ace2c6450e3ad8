"""A run the worker evicts is freed by reference counting, in and out of the sandbox
(connectors/temporal/evicted_runs.py): the replayer evicts each run at the end of its history,
as a worker does when a run finishes."""

import asyncio
import gc
import logging
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import temporalio.workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import (
    Replayer,
    UnsandboxedWorkflowRunner,
    WorkflowInstance,
    WorkflowInstanceDetails,
    WorkflowRunner,
)

from connectors.temporal.evicted_runs import FreeingEvictedRuns, run_state_of
from tests.codec_keys import codec_converter
from worker import WORKFLOW_RUNNER, WORKFLOWS

SALE = Path(__file__).parent / "histories" / "69b102d" / "pos:S001:T1:TX-0f9d6da370.json"


class Watching(WorkflowRunner):
    """``runner``, keeping a weak reference to each run's state (a strong one if ``hold``)."""

    def __init__(self, runner: WorkflowRunner, hold: bool = False) -> None:
        self.runner = runner
        self.hold = hold
        self.run_states: list[weakref.ref[object]] = []
        self.held: list[object] = []

    def prepare_workflow(self, defn: temporalio.workflow._Definition) -> None:
        self.runner.prepare_workflow(defn)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        instance = self.runner.create_instance(det)
        state = run_state_of(instance)
        self.run_states.append(weakref.ref(state))
        if self.hold:
            self.held.append(state)
        return instance

    def set_worker_level_failure_exception_types(
        self, types: Sequence[type[BaseException]]
    ) -> None:
        self.runner.set_worker_level_failure_exception_types(types)


@contextmanager
def cycle_collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def replay(runner: WorkflowRunner) -> None:
    history = WorkflowHistory.from_json(SALE.stem, SALE.read_text())
    replayer = Replayer(
        workflows=WORKFLOWS, data_converter=codec_converter(), workflow_runner=runner
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None


RUNNERS = {"sandbox": WORKFLOW_RUNNER, "no sandbox": UnsandboxedWorkflowRunner()}


@pytest.mark.parametrize("runner", RUNNERS.values(), ids=RUNNERS.keys())
async def test_an_evicted_run_is_freed_without_the_cycle_collector(
    runner: WorkflowRunner,
) -> None:
    watching = Watching(runner)
    with cycle_collector_off():
        await replay(FreeingEvictedRuns(watching))

        assert len(watching.run_states) == 1
        assert watching.run_states[0]() is None


@pytest.mark.parametrize("runner", RUNNERS.values(), ids=RUNNERS.keys())
async def test_an_evicted_runs_loop_still_ignores_a_late_error_report(
    runner: WorkflowRunner, caplog: pytest.LogCaptureFixture
) -> None:
    """A task of a run evicted mid-way that dies later with an exception nobody read reports
    it to the run's loop: the loop, being deleted, ignores it (chaos seed 29 saw 51 such
    reports raise ``AttributeError`` when the wrapper dropped every attribute)."""
    watching = Watching(runner, hold=True)
    await replay(FreeingEvictedRuns(watching))
    [loop] = watching.held
    assert isinstance(loop, asyncio.AbstractEventLoop)

    loop.call_exception_handler({"message": "Task exception was never retrieved"})

    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.mark.parametrize("runner", RUNNERS.values(), ids=RUNNERS.keys())
async def test_without_it_the_sdk_leaves_the_run_to_the_cycle_collector(
    runner: WorkflowRunner,
) -> None:
    """Why the wrapper exists: should a newer SDK free its runs itself, this fails and the
    wrapper can go."""
    watching = Watching(runner)
    with cycle_collector_off():
        await replay(watching)

        assert watching.run_states[0]() is not None
    gc.collect()
    assert watching.run_states[0]() is None
