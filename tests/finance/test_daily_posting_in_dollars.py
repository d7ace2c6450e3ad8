"""Daily posting mode for a store trading in another currency (the New York store sells in
dollars, the company keeps its books in pounds): its day is booked at the day's rate, and a
draft an earlier attempt left is written anew for the day it posts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from temporalio.client import Client

from connectors.erp.tryton import TrytonRest
from connectors.erp.tryton.consolidated import move_description
from domain.consolidation import ConsolidationBatch, batch_key, consolidate
from domain.outcomes import Outcome
from domain.settings import Settings
from starter.control.daily_posting import run_daily_posting
from starter.intake.submission import Submitter
from starter.reports.reconciliation import reconcile_day
from store.db import session_scope
from store.tables import ConsolidatedPosting
from tests.e2e.helpers import submit_and_wait
from tests.finance.consolidated_moves import line_amounts, read_move
from tests.till_tickets import us_line, us_ticket

pytestmark = [pytest.mark.erp, pytest.mark.temporal]


async def test_a_store_trading_in_another_currency_books_its_day_at_the_days_rate(
    daily_submitter: Submitter,
    client: Client,
    daily_settings: Settings,
    daily_engine: Engine,
    tryton_rest: TrytonRest,
) -> None:
    """The New York store sells in dollars; the company keeps its books in pounds."""
    day = date(2025, 9, 19)
    [usd] = await tryton_rest.search("currency.currency", [("code", "=", "USD")], ["id"])
    await tryton_rest.create(
        "currency.currency.rate", {"currency": usd["id"], "date": day, "rate": Decimal("1.30")}
    )
    tickets = [
        us_ticket(
            [us_line(1, "100002", "2", "7.50", "1.33"), us_line(2, "100001", "1", "3.00", "0.27")],
            [{"type": "card", "amount": "19.60", "reference": "VISA ****1111"}],
        ).model_copy(update={"business_date": day}),
        us_ticket(
            [us_line(1, "100003", "3", "2.00", "0.53")],
            [{"type": "cash", "amount": "10.00", "change": "3.47"}],
        ).model_copy(update={"business_date": day, "receipt_number": 2}),
    ]
    for txn in tickets:
        assert (await submit_and_wait(daily_submitter, client, txn)).outcome is Outcome.POSTED

    booked = await run_daily_posting(client, daily_settings.task_queue, "S003", through=day)

    [batch] = booked.batches
    assert batch.posted and batch.ticket_count == 2, batch.refusal
    with session_scope(daily_engine) as session:
        [row] = session.exec(
            select(ConsolidatedPosting).where(ConsolidatedPosting.store_id == "S003")
        ).all()
    assert row.erp_move_id is not None
    move = await read_move(tryton_rest, row.erp_move_id)
    assert move["state"] == "posted", "Tryton posts only a move that balances in pounds"
    in_dollars = line_amounts(move, "amount_second_currency")
    in_pounds = line_amounts(move)
    assert (in_dollars["tender card"], in_dollars["tender cash"]) == (
        Decimal("19.60"),
        Decimal("6.53"),
    )
    [tax] = [name for name in in_dollars if name.startswith("tax ")]
    assert tax.endswith(" 8.875%") and in_dollars[tax] == -Decimal("2.13"), "the tills' tax"
    assert abs(in_pounds["tender card"] - Decimal("19.60") / Decimal("1.30")) < Decimal("0.02")
    assert abs(in_pounds[tax] + Decimal("2.13") / Decimal("1.30")) < Decimal("0.01")
    costs = [line for line in move["lines"] if line["description"].startswith("cost of goods")]
    assert len(costs) == 3, "mugs, tea and biscuits"
    assert all(line["amount_second_currency"] is None for line in costs), "COGS in pounds"

    [reconciled] = (await reconcile_day(daily_settings, day, "S003")).days
    assert reconciled.differences == []
    assert reconciled.erp.gross == sum((txn.totals.gross for txn in tickets), Decimal(0))


async def test_a_draft_left_by_an_earlier_attempt_is_written_anew_for_the_day_it_posts(
    daily_submitter: Submitter,
    client: Client,
    daily_settings: Settings,
    tryton_rest: TrytonRest,
) -> None:
    day = date(2025, 9, 26)
    txn = us_ticket(
        [us_line(1, "100001", "1", "3.00", "0.27")],
        [{"type": "card", "amount": "3.27", "reference": "VISA ****1111"}],
    ).model_copy(update={"business_date": day, "receipt_number": 3})
    assert (await submit_and_wait(daily_submitter, client, txn)).outcome is Outcome.POSTED
    # An attempt died between writing its move, dated the day before, and posting it.
    key = batch_key("S003", day, 1)
    description = move_description(
        ConsolidationBatch(
            key=key,
            store_id="S003",
            business_date=day,
            currency="USD",
            totals=consolidate([]),
        )
    )
    draft_id = await _draft_move(tryton_rest, description, day - timedelta(days=1))

    booked = await run_daily_posting(client, daily_settings.task_queue, "S003", through=day)

    [batch] = [batch for batch in booked.batches if batch.key == key]
    assert batch.posted and batch.posting_date == day, batch.refusal
    move = await read_move(tryton_rest, str(draft_id))
    assert (move["state"], move["date"]) == ("posted", day), "the same move, posted for the day"
    in_dollars = line_amounts(move, "amount_second_currency")
    assert in_dollars["tender card"] == Decimal("3.27")
    assert all(line["description"] for line in move["lines"]), "the stale lines are gone"


async def _draft_move(rest: TrytonRest, description: str, day: date) -> int:
    [journal] = await rest.search("account.journal", [("code", "=", "REV")], ["id"])
    [period] = await rest.search(
        "account.period",
        [("type", "=", "standard"), ("start_date", "<=", day), ("end_date", ">=", day)],
        ["id"],
    )
    cash, card = await rest.search(
        "account.account", [("code", "in", ["1.1.5", "1.1.6"])], ["id"], order=[("code", "ASC")]
    )
    stale = Decimal("1.00")
    return await rest.create(
        "account.move",
        {
            "journal": journal["id"],
            "period": period["id"],
            "date": day,
            "description": description,
            "lines": [
                [
                    "create",
                    [
                        {"account": cash["id"], "debit": stale, "credit": Decimal(0)},
                        {"account": card["id"], "debit": Decimal(0), "credit": stale},
                    ],
                ]
            ],
        },
    )
