"""Histories recorded by the landed version replay on this code: a change to a workflow that
would break the runs still open in production fails here (use ``workflow.patched``).

Each file in histories/ is a real run's history, exported with ``fetch_history().to_json()``
from the test suite of the landing named in its ``landing`` folder; see histories/README.md.

Each replays with payload encryption on (the suite's test key), as a worker does: payloads
recorded in clear before encryption pass through the codec. Those recorded in clear replay
without the codec too.
"""

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from connectors.temporal.codec import ENCODING
from tests.codec_keys import codec_converter
from worker import WORKFLOWS

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*/*.json"))


def test_there_are_histories_to_replay() -> None:
    workflow_types = {_workflow_type(path) for path in HISTORIES}
    assert workflow_types == {
        "PosTransaction",
        "PeriodClose",
        "DailyPosting",
        "ReceiptGaps",
        "TransferDispatch",
        "TransferReceipt",
        "PurchaseReceipt",
        "MasterDataSync",
    }


def _history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


def _in_clear(path: Path) -> bool:
    return base64.b64encode(ENCODING).decode() not in path.read_text()


def _plain() -> DataConverter:
    return pydantic_data_converter


CONVERTERS = {"codec": codec_converter, "plain": _plain}
CASES = [("codec", path) for path in HISTORIES]
CASES += [("plain", path) for path in HISTORIES if _in_clear(path)]


def test_histories_recorded_before_encryption_are_replayed_both_ways() -> None:
    assert {path.parent.name for converter, path in CASES if converter == "plain"} >= {"16e767d"}


@pytest.mark.parametrize(
    ("converter", "path"),
    CASES,
    ids=lambda item: item if isinstance(item, str) else f"{item.parent.name}/{item.stem}",
)
async def test_a_landed_history_replays_on_this_code(converter: str, path: Path) -> None:
    history = _history(path)
    data_converter: DataConverter = CONVERTERS[converter]()
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter)

    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)

    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


def _workflow_type(path: Path) -> str:
    started = json.loads(path.read_text())["events"][0]
    attributes = started["workflowExecutionStartedEventAttributes"]
    return str(attributes["workflowType"]["name"])
