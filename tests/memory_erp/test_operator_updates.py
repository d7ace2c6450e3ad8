"""``retry`` and ``abandon`` as updates (issue 10): refused with the reason unless the run is
parked, answered with what the run does now; a retry may bring an amended ticket while the
stock stage is parked; the old signals still work for older clients."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.errors import ErpUnavailable
from connectors.erp.memory import MemoryErp
from connectors.temporal import client as temporal_client
from domain.operator import OperatorAction
from domain.outcomes import Outcome, SyncStage
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.cli import run_commands
from starter.control.runs import abandon_run, retry_run
from starter.intake.submission import Submitter
from tests.e2e.helpers import new_id, submit_and_wait, wait_for_stage
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import (
    exceptions_of,
    journal_of,
    parked_in_books,
    replays_cleanly,
    settled_on_attempt,
)
from workflows.pos_transaction import PosTransactionWorkflow

pytestmark = pytest.mark.temporal


def with_stated_gross(txn: PosTransaction, gross: str) -> PosTransaction:
    """The ticket as a till with a totals defect sends it: a gross its lines do not give."""
    payload = txn.model_dump(mode="json")
    payload["totals"]["gross"] = gross
    payload["tenders"][0]["amount"] = gross
    return PosTransaction.model_validate(payload)


async def test_retry_and_abandon_are_refused_with_the_stage_unless_the_run_is_parked(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")])
    memory_erp.fail("post", ErpUnavailable("ERP restarting"), times=None, reference=txn.workflow_id)
    await submitter.submit(txn)
    await wait_for_stage(client, txn.workflow_id, {SyncStage.POSTING})

    retried = await retry_run(client, txn.workflow_id, "too early")
    abandoned = await abandon_run(client, txn.workflow_id, "too early")

    assert (retried.accepted, retried.action) == (False, OperatorAction.RETRY)
    assert retried.message == "not parked: stage posting"
    assert (abandoned.accepted, abandoned.message) == (False, "not parked: stage posting")

    memory_erp.clear_faults()
    handle = client.get_workflow_handle_for(PosTransactionWorkflow.run, txn.workflow_id)
    async with asyncio.timeout(20):
        assert (await handle.result()).outcome is Outcome.POSTED
    assert (await handle.query(PosTransactionWorkflow.status)).attempts == 1, "never retried"

    after = await retry_run(client, txn.workflow_id)
    assert not after.accepted
    assert after.message == "not parked: the run has ended (stage posted)"
    missing = await retry_run(client, new_id("pos-none"))
    assert (missing.accepted, missing.message) == (False, "no such run")
    await replays_cleanly(client, txn.workflow_id)


async def test_a_retry_of_a_parked_run_says_what_it_does(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])
    await parked_in_books(submitter, client, memory_erp, txn)
    memory_erp.clear_faults()

    reply = await retry_run(client, txn.workflow_id, "books unlocked")
    second = await retry_run(client, txn.workflow_id, "sent twice")

    assert reply.accepted, reply
    assert reply.message == "retrying the books after erp_rejected: attempt 2"
    assert (reply.attempt, reply.stage) == (2, SyncStage.RESUMING)
    assert not second.accepted and second.message.startswith("not parked: stage ")
    posted = await settled_on_attempt(client, txn.workflow_id, 2)
    assert posted.outcome is Outcome.POSTED, posted


async def test_a_totals_mismatch_is_retried_on_an_amended_ticket(
    submitter: Submitter, client: Client, memory_erp: MemoryErp, memory_engine: Engine
) -> None:
    good = make_sale(new_id(), [sale_line(1, "100001", "2", "3.60")])
    sent = with_stated_gross(good, "7.30")
    parked = await submit_and_wait(submitter, client, sent)
    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, "totals_mismatch"), parked

    unchanged = await retry_run(client, sent.workflow_id, "try again")
    assert unchanged.accepted
    assert "screened again exactly as the till sent it" in unchanged.message
    assert "--amended" in unchanged.message
    again = await settled_on_attempt(client, sent.workflow_id, 2)
    assert (again.outcome, again.failure and again.failure.kind.value) == (
        Outcome.PARKED,
        "totals_mismatch",
    )

    stranger = make_sale(new_id(), [sale_line(1, "100001", "2", "3.60")])
    still_wrong = with_stated_gross(good, "7.25")
    refused = [
        await retry_run(client, sent.workflow_id, "wrong ticket", amended=stranger),
        await retry_run(client, sent.workflow_id, "still wrong", amended=still_wrong),
    ]
    assert [reply.accepted for reply in refused] == [False, False]
    assert "must keep the store, terminal and transaction id" in refused[0].message
    assert refused[1].message.startswith("the amended ticket would park again: ")

    amended = await retry_run(client, sent.workflow_id, "till fixed", amended=good)
    assert amended.accepted, amended
    assert amended.message.endswith("with the amended ticket (gross 7.20)")
    posted = await settled_on_attempt(client, sent.workflow_id, 3)

    assert posted.outcome is Outcome.POSTED, posted
    assert memory_erp.order(f"{good.workflow_id}~3").order.gross_total == good.totals.gross
    assert journal_of(memory_engine, good.workflow_id)["gross_total"] == good.totals.gross
    assert "totals_mismatch" in exceptions_of(memory_engine, good.workflow_id, state="resolved")
    await replays_cleanly(client, good.workflow_id)


async def test_an_amended_ticket_is_refused_once_the_reservation_stands(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100003", "1", "2.40")])
    await parked_in_books(submitter, client, memory_erp, txn)

    reply = await retry_run(client, txn.workflow_id, "amend", amended=txn)
    abandoned = await abandon_run(client, txn.workflow_id, "training till")

    assert not reply.accepted
    assert reply.message.startswith("an amended ticket is taken only while the stock stage")
    assert abandoned.accepted and abandoned.message.startswith("abandoning: what was posted")
    handle = client.get_workflow_handle_for(PosTransactionWorkflow.run, txn.workflow_id)
    async with asyncio.timeout(20):
        assert (await handle.result()).outcome is Outcome.ABANDONED
    await replays_cleanly(client, txn.workflow_id)


async def test_the_retry_signal_of_older_clients_still_resumes_a_parked_run(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn = make_sale(new_id(), [sale_line(1, "100004", "1", "4.50")])
    await parked_in_books(submitter, client, memory_erp, txn)
    memory_erp.clear_faults()

    await client.get_workflow_handle(txn.workflow_id).signal(PosTransactionWorkflow.retry, "ok")

    assert (await settled_on_attempt(client, txn.workflow_id, 2)).outcome is Outcome.POSTED


async def test_the_cli_prints_what_the_run_did_with_a_retry_and_an_abandon(
    submitter: Submitter,
    client: Client,
    memory_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    good = make_sale(new_id(), [sale_line(1, "100001", "2", "3.60")])
    sent = with_stated_gross(good, "7.30")
    assert (await submit_and_wait(submitter, client, sent)).outcome is Outcome.PARKED
    amended_file = tmp_path / "amended.json"
    amended_file.write_text(good.model_dump_json())

    async def connect(settings: Settings) -> Client:
        return client

    monkeypatch.setattr(temporal_client, "connect", connect)
    retried = await run_commands._retry(
        memory_settings, sent.workflow_id, False, "till fixed", amended_file
    )
    printed = capsys.readouterr().out
    await settled_on_attempt(client, sent.workflow_id, 2)
    abandoned = await run_commands._abandon(memory_settings, sent.workflow_id, "too late")

    assert (retried, abandoned) == (0, 1)
    assert printed == (
        f"{sent.workflow_id}: retrying the stock after totals_mismatch: attempt 2,"
        " with the amended ticket (gross 7.20)\n"
    )
    assert capsys.readouterr().out == (
        f"{sent.workflow_id}: not parked: the run has ended (stage posted)\n"
    )
