"""The till's tenders as payments in the real sandbox Tryton: each on its own account."""

from decimal import Decimal
from typing import Any

import pytest

from connectors.erp.tryton import TrytonConnector, TrytonRest
from tests.factories import sale_line
from tests.till_tickets import book, move_lines, plan, uk_ticket

pytestmark = pytest.mark.erp

TENDER_ACCOUNTS = {"card": "1.1.6", "gift_card": "2.2.7", "cash": "1.1.5"}
RECEIVABLE = "1.2.1"


def debits(lines: list[dict[str, Any]]) -> dict[str, Decimal]:
    booked: dict[str, Decimal] = {}
    for line in lines:
        code = line["account"]["code"]
        booked[code] = booked.get(code, Decimal(0)) + line["debit"] - line["credit"]
    return booked


async def test_each_tender_is_paid_on_its_own_account_and_the_invoice_ends_paid(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    # 16.20: 10.00 by card, 5.00 by gift card, 2.00 cash with 0.80 change.
    txn = uk_ticket(
        [sale_line(1, "100001", "2", "3.60"), sale_line(2, "100002", "1", "9.00")],
        tenders=[
            {"type": "card", "amount": "10.00", "reference": "VISA ****4242"},
            {"type": "gift_card", "amount": "5.00", "reference": "GC ****0042"},
            {"type": "cash", "amount": "2.00", "change": "0.80"},
        ],
    )
    order = plan(txn)

    posting = await book(tryton_connector, order)
    refs = await tryton_connector.pay(order.reference, order.payments)

    assert posting.refs.invoice_id is not None
    invoice = await tryton_rest.read("account.invoice", posting.refs.invoice_id, ["state"])
    assert invoice["state"] == "paid"
    assert len(refs.payment_move_ids) == 3, "paying again booked nothing more"
    payments = [await move_lines(tryton_rest, move_id) for move_id in refs.payment_move_ids]
    booked = {
        account: amount
        for lines in payments
        for account, amount in debits(lines).items()
        if account != RECEIVABLE
    }
    assert booked == {
        TENDER_ACCOUNTS["card"]: Decimal("10.00"),
        TENDER_ACCOUNTS["gift_card"]: Decimal("5.00"),
        TENDER_ACCOUNTS["cash"]: Decimal("1.20"),
    }
    assert sum(debits(lines)[RECEIVABLE] for lines in payments) == -txn.totals.gross
    moves = [
        await tryton_rest.read("account.move", move_id, ["description", "journal.name"])
        for move_id in refs.payment_move_ids
    ]
    assert {move["journal"]["name"] for move in moves} == {"POS card", "POS gift card", "POS cash"}
    assert any("card VISA ****4242" in move["description"] for move in moves)
    sale = await tryton_rest.read("sale.sale", posting.refs.sale_id or 0, ["state"])
    assert sale["state"] == "done", "paid and shipped: Tryton closes the sale"


async def test_cancelling_a_paid_posting_reverses_its_payments(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    order = plan(uk_ticket([sale_line(1, "100003", "2", "2.40")]))
    posting = await book(tryton_connector, order)
    payments = (await tryton_connector.pay(order.reference, order.payments)).payment_move_ids

    for _ in range(2):
        await tryton_connector.void_payments_if_present(order.reference)
        await tryton_connector.cancel_posting_if_present(order.reference)

    assert posting.refs.invoice_id is not None
    invoice = await tryton_rest.read(
        "account.invoice", posting.refs.invoice_id, ["state", "payment_lines"]
    )
    assert (invoice["state"], invoice["payment_lines"]) == ("cancelled", [])
    reversals = await tryton_rest.search(
        "account.move",
        [("origin", "in", [f"account.move,{move_id}" for move_id in payments])],
        ["state"],
    )
    assert [move["state"] for move in reversals] == ["posted"]
    card = TENDER_ACCOUNTS["card"]
    paid = debits(await move_lines(tryton_rest, payments[0]))[card]
    assert paid == Decimal("4.80")
    assert debits(await move_lines(tryton_rest, reversals[0]["id"]))[card] == -paid


async def test_cash_back_on_a_card_is_booked_on_both_accounts_and_the_invoice_ends_paid(
    tryton_connector: TrytonConnector, tryton_rest: TrytonRest
) -> None:
    # 9.00 of goods; the card is charged 29.00 and the customer takes 20.00 cash back.
    txn = uk_ticket(
        [sale_line(1, "100002", "1", "9.00")],
        tenders=[
            {"type": "card", "amount": "29.00", "reference": "DEBIT ****1881"},
            {"type": "cash", "amount": "-20.00"},
        ],
    )
    order = plan(txn)

    posting = await book(tryton_connector, order)

    assert posting.refs.invoice_id is not None
    invoice = await tryton_rest.read("account.invoice", posting.refs.invoice_id, ["state"])
    assert invoice["state"] == "paid"
    moves = await tryton_rest.search(
        "account.move", [("origin", "=", f"account.invoice,{posting.refs.invoice_id}")], ["id"]
    )
    payments = [await move_lines(tryton_rest, move["id"]) for move in moves]
    booked = {
        account: amount
        for lines in payments
        for account, amount in debits(lines).items()
        if account in TENDER_ACCOUNTS.values()
    }
    assert booked == {
        TENDER_ACCOUNTS["card"]: Decimal("29.00"),
        TENDER_ACCOUNTS["cash"]: Decimal("-20.00"),
    }
    tender_moves = [
        str(move_id)
        for move_id in sorted(
            move["id"]
            for move, lines in zip(moves, payments, strict=True)
            if set(debits(lines)) & set(TENDER_ACCOUNTS.values())
        )
    ]
    refs = await tryton_connector.find_order(order.reference)
    assert len(tender_moves) == 2
    assert refs is not None and refs.payment_move_ids == tender_moves, "cash back included"
