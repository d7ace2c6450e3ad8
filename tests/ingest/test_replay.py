"""``tillsync replay``: a till's backlog in till order; interrupted and run again, every
transaction is started and posted once."""

import asyncio
import functools
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.tryton import TrytonRest
from domain.outcomes import Outcome, Submission
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.intake.replay import ReplayCounts, replay
from starter.intake.submission import wait_settled
from starter.intake.ticket_intake import Intake
from tests.e2e.helpers import new_id, sales_with_reference
from tests.factories import make_sale, sale_line
from tests.ingest.test_http_ingest import was_started

pytestmark = [pytest.mark.erp, pytest.mark.temporal]


@pytest.fixture
def intake(
    client: Client, ingest_engine: Engine, ingest_settings: Settings, ingest_worker: None
) -> Intake:
    return Intake(client, ingest_engine, ingest_settings.task_queue)


def backlog(count: int) -> list[PosTransaction]:
    """An offline till's tickets, rung up a minute apart on the till's own clock."""
    terminal = new_id("T")
    opened = datetime.fromisoformat("2026-11-19T08:00:00+00:00")
    return [
        make_sale(
            f"{terminal}-{number}",
            [sale_line(1, "100003", "1", "2.40")],
            terminal_id=terminal,
            receipt_number=number,
            offline=True,
            occurred_at=(opened + timedelta(minutes=number)).isoformat(),
        )
        for number in range(1, count + 1)
    ]


def write_jsonl(path: Path, records: list[str]) -> Path:
    path.write_text("\n".join(records) + "\n")
    return path


async def submission_of(client: Client, workflow_id: str) -> Submission:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    (submission,) = await client.data_converter.decode(started.input.payloads, [Submission])
    assert isinstance(submission, Submission)
    return submission


async def test_replay_submits_in_till_order_and_keeps_the_tills_clock(
    intake: Intake, client: Client, ingest_settings: Settings, tmp_path: Path
) -> None:
    tickets = backlog(6)
    shuffled = random.Random(7).sample(tickets, len(tickets))
    source = write_jsonl(tmp_path / "till.jsonl", [txn.model_dump_json() for txn in shuffled])

    summary = await replay(
        intake,
        [source],
        source_format=None,
        data_dir=ingest_settings.data_dir,
        rejects_file=tmp_path / "rejects.jsonl",
        concurrency=1,
    )

    assert (summary.counts.started, summary.counts.duplicates) == (6, 0)
    started_at = [
        (await client.get_workflow_handle(txn.workflow_id).describe()).start_time for txn in tickets
    ]
    assert started_at == sorted(started_at), "started in receipt order, not file order"
    kept = (await submission_of(client, tickets[2].workflow_id)).transaction
    assert (kept.occurred_at, kept.business_date, kept.offline) == (
        tickets[2].occurred_at,
        tickets[2].business_date,
        True,
    )


async def test_replay_interrupted_and_run_again_posts_each_transaction_once(
    intake: Intake,
    client: Client,
    ingest_settings: Settings,
    tryton_rest: TrytonRest,
    tmp_path: Path,
) -> None:
    tickets = backlog(12)
    invalid = tickets[0].model_dump(mode="json") | {"transaction_id": "", "receipt_number": 99}
    source = write_jsonl(
        tmp_path / "till.jsonl", [txn.model_dump_json() for txn in tickets] + [json.dumps(invalid)]
    )
    rejects_file = tmp_path / "rejects.jsonl"
    halfway = asyncio.Event()

    def interrupt_halfway(counts: ReplayCounts) -> None:
        if counts.started >= 6:
            halfway.set()

    replay_the_file = functools.partial(
        replay,
        intake,
        [source],
        source_format=None,
        data_dir=ingest_settings.data_dir,
        rejects_file=rejects_file,
        concurrency=4,
    )
    first = asyncio.create_task(replay_the_file(progress=interrupt_halfway))
    await asyncio.wait_for(halfway.wait(), 60)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    started_before = [txn for txn in tickets if await was_started(client, txn.workflow_id)]
    assert 6 <= len(started_before) < 12, "the first run stopped halfway"

    summary = await replay_the_file()

    counts = summary.counts
    assert counts.started == 12 - len(started_before)
    assert counts.started + counts.duplicates + counts.resumed == 13, counts
    assert counts.resumed >= 6 + 1, "the first run's starts and its reject are not redone"
    assert len(rejects_file.read_text().splitlines()) == 1, "the reject is written once"
    for txn in tickets:
        assert (await wait_settled(client, txn.workflow_id)).outcome is Outcome.POSTED
        assert len(await sales_with_reference(tryton_rest, txn.workflow_id)) == 1
