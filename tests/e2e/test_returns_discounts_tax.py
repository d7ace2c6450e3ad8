"""Returns, exchanges, discounts and tax through the whole saga: the ERP's books match the till
to the penny for every kind of ticket (real Temporal, real Tryton; the ERP's records are read)."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from activities.returns import ORIGINAL_POSTED
from connectors.erp.tryton import TrytonConnector, TrytonRest
from connectors.erp.tryton.rpc import TrytonRpc
from domain.erp_order import StockLevel
from domain.outcomes import Outcome, SyncStage
from domain.transaction import PosTransaction
from starter.control.runs import abandon_run
from starter.intake.submission import Submitter, wait_settled
from store.db import session_scope
from store.exceptions import list_exceptions
from tests.e2e.helpers import (
    new_id,
    start_waiting_for_original,
    submit_and_wait,
    wait_for_stage,
)
from tests.erp_books import location_quantity, set_cost_price
from tests.factories import make_sale, sale_line
from tests.till_tickets import credit, invoice_move_lines, returned, us_line

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

COGS = "5.2.1"


def return_ticket(
    lines: list[dict[str, Any]], kind: str = "return", **extra: Any
) -> PosTransaction:
    return make_sale(new_id("RT"), lines, kind=kind, **extra)


def exceptions_of(engine: Engine, workflow_id: str, state: str = "open") -> dict[str, Any]:
    with session_scope(engine) as session:
        return {
            record.kind: record
            for record in list_exceptions(session, state=state)
            if record.workflow_id == workflow_id
        }


async def invoice_lines(rest: TrytonRest, invoice_id: str) -> list[dict[str, Any]]:
    return await rest.search(
        "account.invoice.line",
        [("invoice", "=", int(invoice_id))],
        ["product.code", "description", "amount"],
    )


async def test_referenced_return_credits_cogs_at_the_original_cost(
    submitter: Submitter,
    client: Client,
    tryton_rest: TrytonRest,
    tryton_rpc: TrytonRpc,
) -> None:
    sale = make_sale(new_id(), [sale_line(1, "100002", "2", "9.00")])  # mug, cost 3.00
    assert (await submit_and_wait(submitter, client, sale)).outcome is Outcome.POSTED
    await set_cost_price(tryton_rest, tryton_rpc, "MUG-001", "4.00")
    try:
        refund = return_ticket([returned(1, "100002", "-1", "9.00", sale)])
        result = await submit_and_wait(submitter, client, refund)
    finally:
        await set_cost_price(tryton_rest, tryton_rpc, "MUG-001", "3.00")

    assert result.outcome is Outcome.POSTED, result
    assert result.erp is not None and result.erp.invoice_id is not None
    books = await invoice_move_lines(tryton_rest, result.erp.invoice_id)
    assert credit(books, COGS) == Decimal("3.00"), "1 x 3.00, the cost when it was sold"
    [sale_record] = await tryton_rest.search(
        "sale.sale", [("reference", "=", refund.workflow_id)], ["origin"]
    )
    assert sale_record["origin"], "the return sale points at the original"


async def test_return_replayed_before_its_original_waits_then_posts(
    submitter: Submitter, client: Client
) -> None:
    sale = make_sale(new_id(), [sale_line(1, "100001", "2", "3.60")])
    refund = return_ticket([returned(1, "100001", "-1", "3.60", sale)])

    await submitter.submit(refund)
    waiting = await wait_for_stage(client, refund.workflow_id, {SyncStage.WAITING_ORIGINAL})
    assert waiting.outcome is None
    assert (await submit_and_wait(submitter, client, sale)).outcome is Outcome.POSTED

    assert (await wait_settled(client, refund.workflow_id)).outcome is Outcome.POSTED
    history = await client.get_workflow_handle(refund.workflow_id).fetch_history()
    signals = [
        event.workflow_execution_signaled_event_attributes.signal_name
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    ]
    timers_ended = [
        event.event_type
        for event in history.events
        if event.event_type
        in {EventType.EVENT_TYPE_TIMER_FIRED, EventType.EVENT_TYPE_TIMER_CANCELED}
    ]
    assert signals == [ORIGINAL_POSTED], "the sale's journal woke the return"
    assert timers_ended[-1] == EventType.EVENT_TYPE_TIMER_CANCELED, "not left to its recheck"


async def test_return_whose_original_never_arrives_parks_after_the_deadline(
    client: Client, running_worker: None, e2e_engine: Engine
) -> None:
    never_sent = make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")])
    refund = return_ticket([returned(1, "100001", "-1", "3.60", never_sent)])
    await start_waiting_for_original(client, refund, timedelta(seconds=3), "tillsync-e2e")
    result = await wait_settled(client, refund.workflow_id)
    assert (result.outcome, result.exception_kind) == (Outcome.PARKED, "original_missing")
    assert never_sent.transaction_id in (result.message or "")
    assert "original_missing" in exceptions_of(e2e_engine, refund.workflow_id)


async def test_unreferenced_return_posts_at_current_cost_and_opens_an_exception(
    submitter: Submitter,
    client: Client,
    tryton_connector: TrytonConnector,
    tryton_rest: TrytonRest,
    e2e_engine: Engine,
) -> None:
    before = await tryton_connector.stock_level("BAG-001", "WH-LON")
    refund = return_ticket([returned(1, "100005", "-2", "1.20")])  # tote bag, cost 0.30

    result = await submit_and_wait(submitter, client, refund)

    assert result.outcome is Outcome.POSTED, result
    assert result.erp is not None and result.erp.invoice_id is not None
    books = await invoice_move_lines(tryton_rest, result.erp.invoice_id)
    assert credit(books, COGS) == Decimal("0.60"), "2 x 0.30, today's cost"
    after = await tryton_connector.stock_level("BAG-001", "WH-LON")
    assert after.available == before.available + 2, "resaleable goods are for sale again"
    record = exceptions_of(e2e_engine, refund.workflow_id)["unreferenced_return"]
    assert record.owner == "store_ops"


async def test_damaged_returns_never_raise_available_stock(
    submitter: Submitter,
    client: Client,
    tryton_connector: TrytonConnector,
    tryton_rest: TrytonRest,
) -> None:
    before = await tryton_connector.stock_level("BISC-001", "WH-LON")
    damaged_before = await location_quantity(tryton_rest, "BISC-001", "WH-LON-DMG")
    refund = return_ticket([returned(1, "100003", "-3", "2.40", condition="damaged")])

    assert (await submit_and_wait(submitter, client, refund)).outcome is Outcome.POSTED

    after = await tryton_connector.stock_level("BISC-001", "WH-LON")
    assert after.available == before.available
    assert await location_quantity(tryton_rest, "BISC-001", "WH-LON-DMG") == damaged_before + 3


async def _mug_sold_to_swap_for_two_teas(
    submitter: Submitter, client: Client, connector: TrytonConnector, **swap: Any
) -> tuple[PosTransaction, StockLevel, StockLevel]:
    """A mug sold and posted; its exchange for two teas (not submitted yet); London's mug and
    tea stock in between."""
    sale = make_sale(new_id(), [sale_line(1, "100002", "1", "9.00")])
    assert (await submit_and_wait(submitter, client, sale)).outcome is Outcome.POSTED
    mugs = await connector.stock_level("MUG-001", "WH-LON")
    teas = await connector.stock_level("TEA-001", "WH-LON")
    exchange = return_ticket(
        [returned(1, "100002", "-1", "9.00", sale), sale_line(2, "100001", "2", "3.60")],
        kind="exchange",
        **swap,
    )
    return exchange, mugs, teas


async def test_exchange_posts_both_parts(
    submitter: Submitter, client: Client, tryton_connector: TrytonConnector
) -> None:
    swap, mugs, teas = await _mug_sold_to_swap_for_two_teas(submitter, client, tryton_connector)
    assert swap.totals.gross == Decimal("-1.80"), "the customer gets 1.80 back"

    result = await submit_and_wait(submitter, client, swap)

    assert result.outcome is Outcome.POSTED, result
    assert (await tryton_connector.stock_level("MUG-001", "WH-LON")).on_hand == mugs.on_hand + 1
    assert (await tryton_connector.stock_level("TEA-001", "WH-LON")).on_hand == teas.on_hand - 2


async def test_exchange_whose_books_fail_keeps_its_stock_and_abandoning_issues_it(
    submitter: Submitter,
    client: Client,
    tryton_connector: TrytonConnector,
    tryton_rest: TrytonRest,
) -> None:
    no_books_yet = date(2032, 1, 10)  # no fiscal year: the ERP refuses the posting
    swap, mugs, teas = await _mug_sold_to_swap_for_two_teas(
        submitter, client, tryton_connector, business_date=no_books_yet
    )

    result = await submit_and_wait(submitter, client, swap)

    assert (result.outcome, result.exception_kind) == (Outcome.PARKED, "erp_rejected")
    held = await tryton_connector.stock_level("TEA-001", "WH-LON")
    assert (held.on_hand, held.available) == (teas.on_hand, teas.available - 2), "still reserved"
    assert await tryton_connector.stock_level("MUG-001", "WH-LON") == mugs, "not received yet"
    [booked] = await tryton_rest.search(
        "sale.sale", [("reference", "=", swap.workflow_id)], ["invoices.state"]
    )
    assert all(invoice["state"] == "draft" for invoice in booked["invoices"]), "nothing posted"

    await abandon_run(client, swap.workflow_id, "books handled by hand")
    abandoned = await wait_settled(client, swap.workflow_id)

    assert abandoned.outcome is Outcome.ABANDONED
    issued = await tryton_connector.stock_level("TEA-001", "WH-LON")
    assert (issued.on_hand, issued.available) == (teas.on_hand - 2, teas.available - 2)
    assert (await tryton_connector.stock_level("MUG-001", "WH-LON")).on_hand == mugs.on_hand + 1


async def test_discounts_are_their_own_lines_by_kind_and_nets_match(
    submitter: Submitter, client: Client, tryton_rest: TrytonRest
) -> None:
    promotion = {"kind": "promotion", "amount": "2.40", "code": "BISC-3FOR2"}
    loyalty = {"kind": "loyalty", "amount": "0.60", "description": "member points"}
    override = {"kind": "manual_override", "amount": "1.00", "cashier_id": "C12", "reason": "chip"}
    ticket = make_sale(
        new_id(),
        [
            sale_line(1, "100003", "3", "2.40", discounts=[promotion, loyalty]),
            sale_line(2, "100002", "1", "9.00", discounts=[override]),
        ],
    )

    result = await submit_and_wait(submitter, client, ticket)

    assert result.outcome is Outcome.POSTED, result
    assert result.erp is not None and result.erp.invoice_id is not None
    invoice = await tryton_rest.read(
        "account.invoice", result.erp.invoice_id, ["untaxed_amount", "tax_amount"]
    )
    assert invoice["untaxed_amount"] == ticket.totals.net
    assert invoice["tax_amount"] == ticket.totals.tax
    lines = await invoice_lines(tryton_rest, result.erp.invoice_id)
    by_product = {line["product"]["code"]: line for line in lines if line.get("product")}
    assert "BISC-3FOR2" in by_product["DISC-PROMOTION"]["description"]
    assert "C12" in by_product["DISC-MANUAL"]["description"]
    assert "chip" in by_product["DISC-MANUAL"]["description"]
    assert by_product["DISC-LOYALTY"]["amount"] < 0
    assert by_product["BISC-001"]["amount"] == Decimal("6.00"), "3 x 2.00: the shelf price"


def _with_pos_tax_off_by(ticket: PosTransaction, difference: str) -> PosTransaction:
    """The same ticket, but the till's tax on line 1 is ``difference`` higher (gross kept)."""
    payload = ticket.model_dump(mode="json")
    tax = payload["lines"][0]["taxes"][0]
    tax["amount"] = str(Decimal(tax["amount"]) + Decimal(difference))
    payload["totals"]["tax"] = str(Decimal(payload["totals"]["tax"]) + Decimal(difference))
    payload["totals"]["net"] = str(Decimal(payload["totals"]["net"]) - Decimal(difference))
    return PosTransaction.model_validate(payload)


async def test_a_penny_of_tax_difference_is_adjusted_a_pound_parks(
    submitter: Submitter, client: Client, tryton_rest: TrytonRest, e2e_engine: Engine
) -> None:
    penny = _with_pos_tax_off_by(make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")]), "0.01")
    pound = _with_pos_tax_off_by(make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")]), "1.00")

    adjusted = await submit_and_wait(submitter, client, penny)
    parked = await submit_and_wait(submitter, client, pound)

    assert adjusted.outcome is Outcome.POSTED, adjusted
    assert adjusted.erp is not None and adjusted.erp.invoice_id is not None
    invoice = await tryton_rest.read(
        "account.invoice", adjusted.erp.invoice_id, ["untaxed_amount", "tax_amount"]
    )
    assert (invoice["untaxed_amount"], invoice["tax_amount"]) == (Decimal("2.99"), Decimal("0.61"))
    rounding = exceptions_of(e2e_engine, penny.workflow_id, state="resolved")["tax_rounding"]
    assert (rounding.details["erp_tax"], rounding.details["pos_tax"]) == ("0.60", "0.61")
    assert rounding.owner == "finance"

    assert (parked.outcome, parked.exception_kind) == (Outcome.PARKED, "totals_mismatch")
    mismatch = exceptions_of(e2e_engine, pound.workflow_id)["totals_mismatch"]
    assert (mismatch.details["erp_tax"], mismatch.details["pos_tax"]) == ("0.60", "1.60")


async def test_tax_exclusive_us_ticket_reconciles_to_the_cent(
    submitter: Submitter, client: Client, tryton_rest: TrytonRest
) -> None:
    ticket = PosTransaction.model_validate(
        {
            "transaction_id": new_id(),
            "store_id": "S003",
            "terminal_id": "T1",
            "receipt_number": 1,
            "business_date": "2026-11-20",
            "occurred_at": "2026-11-20T10:30:00-05:00",
            "currency": "USD",
            "prices_include_tax": False,
            "lines": [
                us_line(1, "100002", "2", "7.50", "1.33"),
                us_line(2, "100001", "1", "3.00", "0.27"),
            ],
            "tenders": [{"type": "card", "amount": "19.60", "reference": "VISA ****1111"}],
            "totals": {"net": "18.00", "tax": "1.60", "gross": "19.60"},
        }
    )

    result = await submit_and_wait(submitter, client, ticket)

    assert result.outcome is Outcome.POSTED, result
    assert result.erp is not None and result.erp.invoice_id is not None
    invoice = await tryton_rest.read(
        "account.invoice",
        result.erp.invoice_id,
        ["untaxed_amount", "tax_amount", "total_amount", "currency.code", "state"],
    )
    assert invoice["currency"]["code"] == "USD"
    assert (invoice["untaxed_amount"], invoice["tax_amount"], invoice["total_amount"]) == (
        Decimal("18.00"),
        Decimal("1.60"),
        Decimal("19.60"),
    )
    assert invoice["state"] == "paid"
