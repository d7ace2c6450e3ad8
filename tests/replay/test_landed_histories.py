"""Histories recorded by the landed version replay on this code: a change to a workflow that
would break the runs still open in production fails here (use ``workflow.patched``).

Each file in histories/ is a real run's history, exported with ``fetch_history().to_json()``
from the test suite of the landing named in its ``landing`` folder; see histories/README.md.
"""

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from worker import WORKFLOWS

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*/*.json"))


def test_there_are_histories_to_replay() -> None:
    workflow_types = {_workflow_type(path) for path in HISTORIES}
    assert workflow_types == {"PosTransaction", "PeriodClose", "DailyPosting", "ReceiptGaps"}


def _history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: f"{path.parent.name}/{path.stem}")
async def test_a_landed_history_replays_on_this_code(path: Path) -> None:
    history = _history(path)
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)

    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)

    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


def _workflow_type(path: Path) -> str:
    started = json.loads(path.read_text())["events"][0]
    attributes = started["workflowExecutionStartedEventAttributes"]
    return str(attributes["workflowType"]["name"])
