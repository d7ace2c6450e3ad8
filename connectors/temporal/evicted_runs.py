"""A run the worker has evicted (finished, or pushed out of its cache) is freed at once.

The SDK's object for a run (``_WorkflowInstanceImpl``: also the run's event loop) sits in
reference cycles with its inbound and outbound interceptors, its tasks and its handlers, so
reference counting never frees it, nor what it holds: the workflow object, the run's
converters, the ticket. About 170 objects a finished run (200 in the sandbox) waited for
Python's full cycle-collector passes, which then paused the worker 50-150 ms each under load:
the tail of the pending-sale window (docs/scaling.md). Once the SDK has torn the run down, its
eviction activation succeeded and only the asyncio objects it leaves may still call it, so
dropping its references to other objects breaks every cycle through it. Its flags stay: a
task or future of a run evicted mid-way that dies later with an exception nobody read reports
it to the run's loop, which ignores it because it is being deleted. In the sandbox about 27
objects a run (the sandbox's importer) are still left to the collector.
"""

from collections.abc import Sequence
from types import NoneType

import temporalio.workflow
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.converter import SerializationContext, StorageDriverStoreContext
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner
from temporalio.worker._command_aware_visitor import CommandInfo

SANDBOXED_RUN = "__temporal_in_sandbox"
"""Where the sandbox's instance keeps its inner runner's instance (as ``.instance``)."""
FLAGS = (bool, int, float, str, bytes, NoneType)
"""Attribute values that refer to no other object, and so close no cycle."""


class FreeingEvictedRuns(WorkflowRunner):
    """``runner``'s instances, each dropping its run's references once its eviction activation
    has succeeded."""

    def __init__(self, runner: WorkflowRunner) -> None:
        self.runner = runner

    def prepare_workflow(self, defn: temporalio.workflow._Definition) -> None:
        self.runner.prepare_workflow(defn)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _FreedOnEviction(self.runner.create_instance(det))

    def set_worker_level_failure_exception_types(
        self, types: Sequence[type[BaseException]]
    ) -> None:
        self.runner.set_worker_level_failure_exception_types(types)


def is_eviction(act: WorkflowActivation) -> bool:
    return any(job.HasField("remove_from_cache") for job in act.jobs)


def run_state_of(instance: WorkflowInstance) -> object:
    """The object that holds the run's state: the instance itself, or, in the sandbox, the
    instance the sandbox created inside it (the sandbox's own wrapper holds no cycle of the
    run's)."""
    namespace = getattr(instance, "globals_and_locals", None)
    in_sandbox = namespace.get(SANDBOXED_RUN) if isinstance(namespace, dict) else None
    return getattr(in_sandbox, "instance", instance)


def drop_references(state: object) -> None:
    attributes = vars(state)
    for name in [name for name, value in attributes.items() if not isinstance(value, FLAGS)]:
        del attributes[name]


class _FreedOnEviction(WorkflowInstance):
    def __init__(self, instance: WorkflowInstance) -> None:
        self._instance = instance
        self._info_when_evicted: temporalio.workflow.Info | None = None

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        completion = self._instance.activate(act)
        # A failed eviction is retried by the SDK on the same instance: keep it whole then.
        if is_eviction(act) and completion.HasField("successful"):
            self._info_when_evicted = self._instance.get_info()
            drop_references(run_state_of(self._instance))
        return completion

    def get_serialization_context(
        self, command_info: CommandInfo | None
    ) -> SerializationContext | None:
        return self._instance.get_serialization_context(command_info)

    def get_external_store_context(
        self, command_info: CommandInfo | None
    ) -> StorageDriverStoreContext:
        return self._instance.get_external_store_context(command_info)

    def get_info(self) -> temporalio.workflow.Info:
        return self._info_when_evicted or self._instance.get_info()

    def get_thread_id(self) -> int | None:
        return None if self._info_when_evicted else self._instance.get_thread_id()
