"""The saga's edge cases (issue 10) on the memory ERP: an error in the workflow's own code parks
the run instead of failing its workflow task forever, and a retry re-runs the stage; after a
successful retry the run no longer shows the old failure."""

import asyncio
import decimal
from typing import Any

import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.memory import MemoryErp
from domain.erp_order import ErpOrder
from domain.order_plan import plan_erp_order
from domain.outcomes import Outcome
from domain.transaction import PosTransaction
from starter.operations import retry_run
from starter.submission import Submitter
from tests.e2e.helpers import new_id, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.memory_erp.saga_helpers import exceptions_of, settled_on_attempt
from workflows import pos_transaction
from workflows import search_attributes as attrs

pytestmark = pytest.mark.temporal

BOOKED = {"reserved": 1, "posted": 1, "paid": 1, "committed": 1}


async def exception_kind_attribute(client: Client, workflow_id: str) -> str | None:
    described = await client.get_workflow_handle(workflow_id).describe()
    return described.typed_search_attributes.get(attrs.EXCEPTION_KIND)


async def test_an_error_in_the_workflow_code_parks_the_run_and_retry_reruns_the_stage(
    submitter: Submitter,
    client: Client,
    memory_erp: MemoryErp,
    memory_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A defect in the planning rules: planning this ticket's first attempt raises a Python error
    # inside the workflow (not a business failure of a step). Keyed on the attempt's ERP
    # reference, so a replay of the run meets the same error (as it would after a deploy of a
    # fix guarded by workflow.patched) while the retry's attempt plans cleanly.
    txn = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")])

    def planner_with_a_defect(
        ticket: PosTransaction, mapping: Any, reference: str, *args: Any
    ) -> ErpOrder:
        if reference == txn.workflow_id:
            raise decimal.InvalidOperation([decimal.InvalidOperation])
        return plan_erp_order(ticket, mapping, reference, *args)

    monkeypatch.setattr(pos_transaction, "plan_erp_order", planner_with_a_defect)

    async with asyncio.timeout(20):
        parked = await submit_and_wait(submitter, client, txn)

    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, "internal_error"), parked
    assert "InvalidOperation" in (parked.message or ""), parked.message
    assert exceptions_of(memory_engine, txn.workflow_id)["internal_error"][0] == "it"
    assert not [order for order in memory_erp.orders() if order.workflow_id == txn.workflow_id]

    await retry_run(client, txn.workflow_id, "planning fixed")
    posted = await settled_on_attempt(client, txn.workflow_id, 2)

    assert posted.outcome is Outcome.POSTED, posted
    assert memory_erp.effects(f"{txn.workflow_id}~2") == BOOKED
    assert "internal_error" in exceptions_of(memory_engine, txn.workflow_id, state="resolved")
