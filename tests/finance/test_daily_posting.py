"""Daily posting mode: stock moves per ticket, and the store's Temporal Schedule books one
consolidated journal entry per business day whose figures are the sum of its tickets. A store
trading in another currency: test_daily_posting_in_dollars.py."""

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from temporalio.client import Client, ScheduleActionExecutionStartWorkflow

from connectors.erp.tryton import TrytonConnector, TrytonRest
from domain.consolidation import (
    DailyPostingResult,
)
from domain.outcomes import Outcome
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.control.daily_posting import ensure_daily_posting_schedules
from starter.intake.submission import Submitter
from store.db import session_scope
from store.tables import ConsolidatedPosting, JournalEntry
from tests.e2e.helpers import new_id, sales_with_reference, stock, submit_and_wait
from tests.factories import make_sale, sale_line
from tests.finance.consolidated_moves import line_amounts, read_move, tax_lines

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

STORE, DAY = "S201", date(2025, 9, 17)


def _tickets() -> list[PosTransaction]:
    promotion = {"kind": "promotion", "amount": "1.00", "code": "MUG-AUTUMN"}
    return [
        make_sale(
            new_id(),
            [
                sale_line(1, "100001", "2", "3.60"),
                sale_line(2, "100002", "1", "9.00", discounts=[promotion]),
            ],
            store_id=STORE,
            receipt_number=1,
            business_date=DAY,
        ),
        make_sale(
            new_id(),
            [sale_line(1, "100003", "3", "2.40", rate="0", tax_code="UK-ZERO")],
            store_id=STORE,
            receipt_number=2,
            business_date=DAY,
            tenders=[{"type": "cash", "amount": "10.00", "change": "2.80"}],
        ),
        make_sale(
            new_id(),
            [
                sale_line(1, "100001", "1", "3.60"),
                sale_line(2, "100003", "1", "2.40", rate="0", tax_code="UK-ZERO"),
            ],
            store_id=STORE,
            receipt_number=3,
            business_date=DAY,
        ),
    ]


async def _run_schedule(client: Client, schedule_id: str) -> DailyPostingResult:
    """Trigger the schedule now and wait for the run it starts."""
    handle = client.get_schedule_handle(schedule_id)
    before = len((await handle.describe()).info.recent_actions)
    await handle.trigger()
    async with asyncio.timeout(60):
        while True:
            actions = (await handle.describe()).info.recent_actions
            if len(actions) > before:
                break
            await asyncio.sleep(0.2)
    action = actions[-1].action
    assert isinstance(action, ScheduleActionExecutionStartWorkflow)
    result: DailyPostingResult = await client.get_workflow_handle(
        action.workflow_id, run_id=action.first_execution_run_id, result_type=DailyPostingResult
    ).result()
    return result


async def test_one_consolidated_posting_per_store_day_sums_its_tickets_to_the_penny(
    daily_submitter: Submitter,
    client: Client,
    daily_settings: Settings,
    daily_engine: Engine,
    tryton_rest: TrytonRest,
    tryton_connector: TrytonConnector,
) -> None:
    tickets = _tickets()
    tea, biscuits = (
        await tryton_connector.stock_level("TEA-001", "WH-LDS"),
        await tryton_connector.stock_level("BISC-001", "WH-LDS"),
    )
    for txn in tickets:
        assert (await submit_and_wait(daily_submitter, client, txn)).outcome is Outcome.POSTED
    assert await available(tryton_connector, "TEA-001") == tea.available - 3, "reserved at once"
    assert await available(tryton_connector, "BISC-001") == biscuits.available - 4
    assert await stock(tryton_connector, "TEA-001", "WH-LDS") == tea.on_hand, (
        "the goods are issued by the day's posting"
    )
    for txn in tickets:
        assert await sales_with_reference(tryton_rest, txn.workflow_id) == [], (
            "daily mode books no sale (and no invoice) per ticket"
        )
        [shipment] = await tryton_rest.search(
            "stock.shipment.out", [("reference", "=", txn.workflow_id)], ["state", "moves"]
        )
        assert shipment["state"] == "assigned", "a ticket's stock: one customer shipment, reserved"

    [schedule_id] = await ensure_daily_posting_schedules(client, daily_settings, [STORE])
    try:
        result = await _run_schedule(client, schedule_id)
        again = await _run_schedule(client, schedule_id)
    finally:
        await client.get_schedule_handle(schedule_id).delete()

    assert await stock(tryton_connector, "TEA-001", "WH-LDS") == tea.on_hand - 3, "issued"
    assert await stock(tryton_connector, "BISC-001", "WH-LDS") == biscuits.on_hand - 4
    assert await available(tryton_connector, "TEA-001") == tea.available - 3, "counted once"
    for txn in tickets:
        [shipment] = await tryton_rest.search(
            "stock.shipment.out", [("reference", "=", txn.workflow_id)], ["state"]
        )
        assert shipment["state"] == "done"

    [batch] = result.batches
    assert (batch.store_id, batch.business_date, batch.ticket_count) == (STORE, DAY, 3)
    assert batch.posted and batch.posting_date == DAY
    assert again.batches == [], "nothing is booked twice"
    with session_scope(daily_engine) as session:
        [row] = session.exec(
            select(ConsolidatedPosting).where(ConsolidatedPosting.store_id == STORE)
        ).all()
        entries = session.exec(select(JournalEntry).where(JournalEntry.store_id == STORE)).all()
        assert {entry.consolidation_id for entry in entries} == {row.id}
        assert {entry.posting_date for entry in entries} == {DAY}
        assert {entry.erp_invoice_id for entry in entries} == {None}
    assert row.erp_move_id is not None

    move = await read_move(tryton_rest, row.erp_move_id)
    assert (move["state"], move["date"], move["number"]) == ("posted", DAY, batch.move_number)
    amounts = line_amounts(move)
    gross = sum((txn.totals.gross for txn in tickets), Decimal(0))
    card = sum((txn.totals.gross for txn in tickets if txn.tenders[0].type == "card"), Decimal(0))
    assert (amounts["tender card"], amounts["tender cash"]) == (card, Decimal("7.20"))
    assert amounts["tender card"] + amounts["tender cash"] == gross
    assert tax_lines(move, "tax") == {"VAT20": _pos_tax(tickets, "UK-STD")}, "the tills' VAT"
    assert -amounts["tax VAT20 20%"] == _pos_tax(tickets, "UK-STD")
    bases = tax_lines(move, "base")
    assert bases["VAT0"] == Decimal("9.60"), "zero-rated sales: 4 x 2.40"
    assert amounts["discount promotion"] == Decimal("0.83"), "1.00 off, net of 20% VAT"
    net = sum((txn.totals.net for txn in tickets), Decimal(0))
    sales = sum((value for name, value in amounts.items() if name.startswith("sales")), Decimal(0))
    assert -(sales + amounts["discount promotion"] + amounts.get("rounding", Decimal(0))) == net
    cost = {
        "TEA-001": 3 * Decimal("1.20"),
        "MUG-001": Decimal("3.00"),
        "BISC-001": 4 * Decimal("0.70"),
    }
    for code, value in cost.items():
        assert (amounts[f"cost of goods {code}"], amounts[f"goods issued {code}"]) == (
            value,
            -value,
        )
    assert row.cost_of_goods == sum(cost.values(), Decimal(0))


async def available(connector: TrytonConnector, code: str) -> Decimal:
    return (await connector.stock_level(code, "WH-LDS")).available


def _pos_tax(tickets: list[PosTransaction], code: str) -> Decimal:
    return sum(
        (
            tax.amount
            for txn in tickets
            for line in txn.lines
            for tax in line.taxes
            if tax.code == code
        ),
        Decimal(0),
    )
