"""A sale dated in a period closed in the ERP posts on the first day of the next open period."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.tryton import TrytonRest
from domain.outcomes import Outcome
from starter.intake.submission import Submitter
from store.db import session_scope
from store.exceptions import list_exceptions
from store.journal import find_entry
from tests.e2e.helpers import new_id, submit_and_wait
from tests.factories import make_sale, sale_line

pytestmark = [pytest.mark.erp, pytest.mark.temporal]


async def _period(rest: TrytonRest, start: date) -> dict[str, Any]:
    [period] = await rest.search(
        "account.period",
        [("start_date", "=", start), ("type", "=", "standard")],
        ["id", "name", "state"],
    )
    return period


async def test_sale_in_a_closed_period_posts_on_the_first_day_of_the_next_open_one(
    submitter: Submitter, client: Client, tryton_rest: TrytonRest, finance_engine: Engine
) -> None:
    march, april = (
        await _period(tryton_rest, date(2025, 3, 1)),
        await _period(tryton_rest, date(2025, 4, 1)),
    )
    await tryton_rest.click("account.period", march["id"], "close")
    txn = make_sale(
        new_id(), [sale_line(1, "100001", "2", "3.60")], business_date=date(2025, 3, 14)
    )
    try:
        result = await submit_and_wait(submitter, client, txn)
    finally:
        await tryton_rest.click("account.period", march["id"], "reopen")

    assert result.outcome is Outcome.POSTED, result
    assert result.erp is not None and result.erp.invoice_id is not None
    invoice = await tryton_rest.read(
        "account.invoice",
        result.erp.invoice_id,
        ["state", "accounting_date", "move.date", "move.period", "total_amount"],
    )
    assert invoice["state"] == "paid", "posted, and paid by its tender"
    assert invoice["accounting_date"] == date(2025, 4, 1)
    assert (invoice["move"]["date"], invoice["move"]["period"]) == (date(2025, 4, 1), april["id"])
    with session_scope(finance_engine) as session:
        entry = find_entry(session, txn.workflow_id)
        assert entry is not None and entry.outcome == "posted"
        assert (entry.business_date, entry.posting_date) == (date(2025, 3, 14), date(2025, 4, 1))
        [redated] = [e for e in list_exceptions(session) if e.workflow_id == txn.workflow_id]
    assert (redated.kind, redated.owner, redated.state) == ("period_redated", "finance", "open")
    assert redated.details == {"business_date": "2025-03-14", "posting_date": "2025-04-01"}
    assert "2025-03 is closed in the ERP" in redated.message
