"""Export one history per distinct path through each workflow from a test session's server.

Set ``TILLSYNC_RECORD_HISTORIES=tests/replay/histories/<commit>`` and run the end-to-end and
finance suites: when the session's Temporal server stops, every run it holds is grouped by its
path (workflow type, and the sequence of event types and activity, timer and signal names) and
the first run of each path is written as ``<workflow id>.json``.
"""

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from temporalio.client import Client

RECORD_TO = "TILLSYNC_RECORD_HISTORIES"

_NAMED = {
    "activityTaskScheduledEventAttributes": ("activityType", "name"),
    "markerRecordedEventAttributes": ("markerName",),
    "workflowExecutionSignaledEventAttributes": ("signalName",),
}


def _path_of(history: dict[str, Any]) -> str:
    steps = []
    for event in history["events"]:
        step = event["eventType"]
        for key, names in _NAMED.items():
            if key in event:
                value: Any = event[key]
                for name in names:
                    value = value.get(name, "")
                step += f":{value}"
        steps.append(step)
    return "|".join(steps)


async def record_histories(client: Client) -> int:
    """Write the histories when TILLSYNC_RECORD_HISTORIES is set; how many were written."""
    folder = os.environ.get(RECORD_TO)
    if not folder:
        return 0
    histories: dict[str, tuple[str, str]] = {}
    async for execution in client.list_workflows("ExecutionStatus != 'Running'"):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        text = (await handle.fetch_history()).to_json()
        path = f"{execution.workflow_type}#{_path_of(json.loads(text))}"
        histories.setdefault(path, (execution.id, text))
    await asyncio.to_thread(_write, Path(folder), list(histories.values()))
    return len(histories)


def _write(folder: Path, histories: list[tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for workflow_id, text in histories:
        (folder / f"{workflow_id}.json").write_text(text)
