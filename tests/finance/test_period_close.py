"""The period close workflow against the real ERP and a real Temporal server."""

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowHandle

from connectors.erp.tryton import TrytonConnector, TrytonRest
from domain.outcomes import Outcome, Submission, SyncStatus
from domain.period_close import CloseOutcome, CloseStep, PeriodCloseRequest, PeriodCloseStatus
from domain.reconciliation import ReconciliationReport
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.control.daily_posting import run_daily_posting
from starter.control.period_close import reopen_period, start_period_close
from starter.intake.submission import Submitter, wait_settled
from store.db import session_scope
from store.exceptions import list_exceptions
from store.journal import find_entry
from store.periods import find_close
from tests.e2e.helpers import new_id, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.finance.cli import tillsync
from tests.finance.gates import RunGate
from workflows import policies
from workflows.period_close import PeriodCloseWorkflow
from workflows.pos_transaction import PosTransactionWorkflow
from workflows.search_attributes import initial_attributes

pytestmark = [pytest.mark.erp, pytest.mark.temporal]


async def _until(
    handle: WorkflowHandle[PeriodCloseWorkflow, CloseOutcome],
    done: Callable[[PeriodCloseStatus], bool],
    within: float = 60,
) -> PeriodCloseStatus:
    async with asyncio.timeout(within):
        while True:
            status = await handle.query(PeriodCloseWorkflow.status)
            if done(status):
                return status
            await asyncio.sleep(0.1)


async def _start_unserved_run(
    client: Client, txn: PosTransaction
) -> WorkflowHandle[PosTransactionWorkflow, SyncStatus]:
    """A June run of another company: its workers, on their own task queue, are not ours."""
    return await client.start_workflow(
        PosTransactionWorkflow.run,
        Submission(transaction=txn, submission_id=new_id(), submitted_at=datetime.now(UTC)),
        id=txn.workflow_id,
        task_queue="tillsync-another-company",
        search_attributes=initial_attributes(txn),
    )


async def _period_state(rest: TrytonRest, start: date) -> Any:
    [period] = await rest.search(
        "account.period", [("start_date", "=", start), ("type", "=", "standard")], ["state"]
    )
    return period["state"]


async def test_close_waits_for_in_flight_reconciles_waits_for_approval_then_closes_in_tryton(
    submitter: Submitter,
    client: Client,
    run_gate: RunGate,
    tryton_rest: TrytonRest,
    tryton_connector: TrytonConnector,
    finance_settings: Settings,
    finance_engine: Engine,
) -> None:
    posted = make_sale(
        new_id(), [sale_line(1, "100002", "1", "9.00")], business_date=date(2025, 6, 10)
    )
    result = await submit_and_wait(submitter, client, posted)
    assert result.erp is not None and result.erp.invoice_id is not None
    # Someone reverses the invoice in the ERP: the POS took 9.00 the books no longer show.
    await tryton_connector.cancel_posting_if_present(result.erp.reference)

    in_flight = make_sale(
        new_id(),
        [sale_line(1, "100001", "1", "3.60")],
        receipt_number=2,
        business_date=date(2025, 6, 11),
    )
    held = run_gate.close("erp.book", in_flight.workflow_id)
    await submitter.submit(in_flight)
    await asyncio.wait_for(run_gate.reached[held].wait(), 60)
    other_company = await _start_unserved_run(
        client,
        make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")], business_date=date(2025, 6, 11)),
    )

    handle = await start_period_close(
        client,
        finance_settings.task_queue,
        PeriodCloseRequest(period="2025-06", drain_poll_seconds=1, drain_timeout_seconds=600),
        note="month end",
    )
    draining = await _until(
        handle, lambda status: status.step is CloseStep.DRAINING and status.in_flight > 0
    )
    assert draining.in_flight_ids == [in_flight.workflow_id], "another company's run is not ours"
    await other_company.terminate("test done")
    assert draining.erp_period is not None and draining.erp_period.name == "2025-06"

    # Tills keep trading: a June ticket arriving now posts on the first day of July.
    late = make_sale(
        new_id(),
        [sale_line(1, "100003", "1", "2.40")],
        receipt_number=3,
        business_date=date(2025, 6, 12),
    )
    assert (await submit_and_wait(submitter, client, late)).outcome is Outcome.POSTED
    still = await handle.query(PeriodCloseWorkflow.status)
    assert still.step is CloseStep.DRAINING, "the held ticket keeps the close draining"

    run_gate.open(held)
    assert (await wait_settled(client, in_flight.workflow_id)).outcome is Outcome.POSTED
    waiting = await _until(handle, lambda status: status.step is CloseStep.AWAITING_APPROVAL)
    assert waiting.in_flight == 0 and not waiting.drain_timed_out
    assert waiting.reconciliation is not None and waiting.reconciliation.differences > 0
    assert waiting.waiting_because and "differences" in waiting.waiting_because
    with session_scope(finance_engine) as session:
        record = find_close(session, finance_settings.erp_company_id, "2025-06")
        assert record is not None and record.state == "closing"
        report = ReconciliationReport.model_validate(record.reconciliation)
    [june_10] = [day for day in report.days if day.business_date == date(2025, 6, 10)]
    gross = next(item for item in june_10.differences if item.metric == "gross")
    assert (gross.pos, gross.erp, gross.behind) == (Decimal(9), Decimal(0), [posted.transaction_id])
    assert await _period_state(tryton_rest, date(2025, 6, 1)) == "open", "not before approval"

    code, shown = await tillsync(finance_settings, client, "period", "status", "2025-06", "--json")
    assert code == 0 and PeriodCloseStatus.model_validate_json(shown) == waiting
    note = "invoice reversed on purpose: refund"
    code, said = await tillsync(
        finance_settings, client, "period", "approve", "2025-06", "--note", note
    )
    assert (code, said.strip()) == (0, "approve sent to the close of 2025-06")
    outcome = await handle.result()
    try:
        assert outcome.closed and outcome.status.step is CloseStep.CLOSED
        assert outcome.note == "invoice reversed on purpose: refund"
        assert await _period_state(tryton_rest, date(2025, 6, 1)) == "closed"
        with session_scope(finance_engine) as session:
            record = find_close(session, finance_settings.erp_company_id, "2025-06")
            assert record is not None and record.state == "closed" and record.closed_at
            assert record.report["approval_note"] == outcome.note
            held_entry, late_entry = (
                find_entry(session, txn.workflow_id) for txn in (in_flight, late)
            )
            assert held_entry is not None and held_entry.posting_date == date(2025, 6, 11)
            assert late_entry is not None and late_entry.posting_date == date(2025, 7, 1)
            [acknowledged] = [
                e
                for e in list_exceptions(session, state="resolved")
                if e.workflow_id == late.workflow_id
            ]
            assert acknowledged.kind == "period_redated"
            assert acknowledged.resolution == "acknowledged by the close of 2025-06"
    finally:
        reopened = await reopen_period(finance_settings, "2025-06", "test done")
    assert reopened.state == "open"
    with session_scope(finance_engine) as session:
        record = find_close(session, finance_settings.erp_company_id, "2025-06")
        assert record is not None and (record.state, record.note) == ("reopened", "test done")


async def test_drain_is_bounded_in_workflow_time_and_abort_lifts_the_closing_mark(
    submitter: Submitter,
    client: Client,
    skipping_client: Client,
    run_gate: RunGate,
    tryton_rest: TrytonRest,
    finance_settings: Settings,
    finance_engine: Engine,
) -> None:
    stuck = make_sale(
        new_id(), [sale_line(1, "100005", "1", "1.20")], business_date=date(2025, 8, 5)
    )
    held = run_gate.close("erp.book", stuck.workflow_id)
    await submitter.submit(stuck)
    await asyncio.wait_for(run_gate.reached[held].wait(), 60)

    started = time.monotonic()
    handle = await start_period_close(
        skipping_client,
        finance_settings.task_queue,
        PeriodCloseRequest(period="2025-08", drain_poll_seconds=600, drain_timeout_seconds=1800),
    )
    waiting = await _until(handle, lambda status: status.step is CloseStep.AWAITING_APPROVAL)
    elapsed = time.monotonic() - started
    assert waiting.drain_timed_out and waiting.in_flight_ids == [stuck.workflow_id]
    assert (
        waiting.waiting_because and "1 transactions were still in flight" in waiting.waiting_because
    )
    assert elapsed < 30, f"30 minutes of drain took {elapsed:.1f} s of real time"

    await handle.signal(PeriodCloseWorkflow.abort, "a till is stuck; close next week")
    outcome = await handle.result()
    assert not outcome.closed and outcome.status.step is CloseStep.ABORTED
    assert await _period_state(tryton_rest, date(2025, 8, 1)) == "open"
    with session_scope(finance_engine) as session:
        record = find_close(session, finance_settings.erp_company_id, "2025-08")
        assert record is not None and record.state == "aborted"

    run_gate.open(held)
    assert (await wait_settled(client, stuck.workflow_id)).outcome is Outcome.POSTED
    with session_scope(finance_engine) as session:
        entry = find_entry(session, stuck.workflow_id)
        assert entry is not None and entry.posting_date == date(2025, 8, 5), "not re-dated"


async def test_in_daily_mode_the_close_books_the_period_itself_then_closes_when_all_agrees(
    daily_submitter: Submitter,
    client: Client,
    run_gate: RunGate,
    tryton_rest: TrytonRest,
    daily_settings: Settings,
    daily_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    day = date(2025, 10, 14)
    first, second = (
        make_sale(
            new_id(),
            [sale_line(1, "100004", "1", "5.00")],
            store_id="S203",
            receipt_number=number,
            business_date=day,
        )
        for number in (1, 2)
    )
    assert (await submit_and_wait(daily_submitter, client, first)).outcome is Outcome.POSTED
    # Held once admitted in the open period, reserved and journaled: in flight through the
    # drain. Held inside the workflow task, past the local budget: its admission is not given
    # up and made again (planned again, while the period closes).
    monkeypatch.setattr(policies, "LOCAL_BUDGET", timedelta(seconds=120))
    held = run_gate.close("ticket.admit_and_reserve", second.workflow_id, after=True)
    await daily_submitter.submit(second)
    await asyncio.wait_for(run_gate.reached[held].wait(), 60)

    handle = await start_period_close(
        client,
        daily_settings.task_queue,
        PeriodCloseRequest(period="2025-10", drain_poll_seconds=1, drain_timeout_seconds=600),
    )
    await _until(handle, lambda status: status.step is CloseStep.DRAINING and status.in_flight > 0)
    scheduled = await run_daily_posting(client, daily_settings.task_queue, "S203", through=day)
    assert scheduled.batches == [], "the days of a period being closed are the close's to book"

    run_gate.open(held)
    outcome = await handle.result()
    try:
        assert outcome.closed and outcome.status.consolidated_batches == 1
        assert outcome.status.reconciliation is not None
        assert outcome.status.reconciliation.differences == 0
        assert outcome.note == "no differences", "nothing to approve"
        assert await _period_state(tryton_rest, date(2025, 10, 1)) == "closed"
        with session_scope(daily_engine) as session:
            entries = [find_entry(session, txn.workflow_id) for txn in (first, second)]
            assert {entry.posting_date for entry in entries if entry} == {day}, "not re-dated"
            assert len({entry.consolidation_id for entry in entries if entry}) == 1
    finally:
        await reopen_period(daily_settings, "2025-10", "test done")
