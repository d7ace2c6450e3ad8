"""Dedupe under concurrency with the production store (PostgreSQL): one ticket, many arrivals,
one posting. Some arrivals bypass Temporal's workflow-id check, as they would after Temporal's
retention forgot the id, so only the store's unique claim stands between them and the ERP."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.testing import WorkflowEnvironment

from connectors.erp.tryton import TrytonRest
from domain.outcomes import Outcome, Submission
from domain.settings import Settings
from starter.intake.submission import Submitter
from store.claims import ClaimKey, count_duplicates
from store.db import create_store_engine, session_scope
from tests.codec_keys import codec_converter
from tests.e2e.helpers import new_id, sales_with_reference
from tests.factories import make_sale, sale_line
from tests.sample_data import example_store
from worker import run_worker
from workflows.pos_transaction import PosTransactionWorkflow

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

QUEUE = "tillsync-e2e-postgres"


@pytest.fixture(scope="module")
async def postgres_settings(
    e2e_settings: Settings, postgres_url: str, temporal_env: WorkflowEnvironment
) -> AsyncIterator[Settings]:
    settings = e2e_settings.model_copy(update={"store_url": postgres_url, "task_queue": QUEUE})
    example_store(postgres_url).dispose()
    stop = asyncio.Event()
    # Two workers, each with its own connection, as two worker processes would have.
    clients = [
        await Client.connect(
            temporal_env.client.service_client.config.target_host,
            data_converter=codec_converter(),
        )
        for _ in range(2)
    ]
    workers = [asyncio.create_task(run_worker(settings, client, stop)) for client in clients]
    yield settings
    stop.set()
    await asyncio.gather(*workers)


async def test_many_concurrent_arrivals_post_once(
    postgres_settings: Settings, temporal_env: WorkflowEnvironment, tryton_rest: TrytonRest
) -> None:
    engine = create_store_engine(postgres_settings.resolved_store_url)
    client = temporal_env.client
    txn = make_sale(new_id(), [sale_line(1, "100005", "1", "1.20")])
    submitters = [Submitter(client, engine, QUEUE) for _ in range(6)]

    async def forgotten_id_start(number: int) -> Outcome | None:
        handle = await client.start_workflow(
            PosTransactionWorkflow.run,
            Submission(
                transaction=txn, submission_id=f"late-{number}", submitted_at=txn.occurred_at
            ),
            id=f"{txn.workflow_id}-late-{number}",
            task_queue=QUEUE,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )
        return (await handle.result()).outcome

    async def submitted(submitter: Submitter) -> Outcome | None:
        [result] = await submitter.submit_all([txn], wait=True)
        return result.outcome

    outcomes = await asyncio.gather(
        *(submitted(submitter) for submitter in submitters),
        *(forgotten_id_start(number) for number in range(4)),
    )

    assert outcomes.count(Outcome.POSTED) == 1, outcomes
    assert outcomes.count(Outcome.DUPLICATE) == len(outcomes) - 1
    assert len(await sales_with_reference(tryton_rest, txn.workflow_id)) == 1
    with session_scope(engine) as session:
        key = ClaimKey(txn.store_id, txn.terminal_id, txn.transaction_id)
        assert count_duplicates(session, key) == len(outcomes) - 1
    engine.dispose()
