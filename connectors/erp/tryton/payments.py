"""The till's tenders as payments of the posted Tryton invoice, each on its tender's account.

Each tender type has a Tryton payment method (``account.invoice.payment.method`` named
``POS cash``, ``POS card``, ...) with its own journal and account. A tender is booked the way
Tryton's *Pay Invoice* wizard books a payment: a posted ``account.move`` on the method's journal
whose origin is the invoice, debiting the method's account and crediting the invoice's
receivable (a refund the other way round), its receivable line added to the invoice's payment
lines. When the tenders pay the invoice in full, the invoice's receivable lines and the payment
lines are reconciled with Tryton's *Reconcile Lines* wizard (over JSON-RPC: REST does not expose
reconciliation); Tryton then marks the invoice paid.

For an invoice in another currency than the company's, the receivable's company amount is
split over the tenders in proportion to their amounts (domain.money.allocate), so the lines
reconcile to the penny without an exchange difference.

Voiding (the compensation) unreconciles the invoice's lines and cancels the payment moves with
Tryton's *Cancel Moves* wizard (a reversal of each, reconciled with it), then removes them from
the invoice's payment lines; the invoice is back to posted, unpaid.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.erp.tryton.queued import after_queued_tasks
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton.states import DRAFT, PAID, POSTED
from connectors.erp.tryton.tender_methods import TenderMethod, TenderMethods
from domain.erp_order import ErpPayment
from domain.money import allocate

_INVOICE_FIELDS = [
    "state",
    "number",
    "account",
    "party",
    "currency.code",
    "company.currency.code",
    "total_amount",
    "accounting_date",
    "invoice_date",
    "payment_lines",
    "lines_to_pay.debit",
    "lines_to_pay.credit",
    "lines_to_pay.amount_second_currency",
    "lines_to_pay.reconciliation",
]


@dataclass(frozen=True)
class _Tender:
    description: str
    method: TenderMethod
    amount: Decimal
    company_amount: Decimal


def tender_description(reference: str, number: int, count: int, payment: ErpPayment) -> str:
    description = f"{reference} tender {number}/{count}: {payment.tender_type.value}"
    return f"{description} {payment.reference}" if payment.reference else description


class InvoicePayments:
    """Pays posted invoices with the till's tenders, and voids those payments."""

    def __init__(self, rest: TrytonRest, rpc: TrytonRpc | None, company_id: int) -> None:
        self._rest = rest
        self._rpc = rpc
        self._company_id = company_id
        self._methods = TenderMethods(rest, company_id)
        self._periods: dict[date, int] = {}

    async def pay(self, reference: str, invoice_id: int, payments: list[ErpPayment]) -> None:
        """Book ``payments`` against posted invoice ``invoice_id``; idempotent."""
        invoice = await self._rest.read("account.invoice", invoice_id, _INVOICE_FIELDS)
        if invoice["state"] == PAID:
            return
        if invoice["state"] != POSTED:
            raise ErpRejected(f"the invoice of {reference} is {invoice['state']}, not posted")
        tenders = [payment for payment in payments if payment.amount]
        if not tenders and invoice["total_amount"]:
            return  # the till sent no tenders: the invoice stays open, as it is unpaid
        tendered = sum((payment.amount for payment in tenders), Decimal(0))
        if tendered != invoice["total_amount"]:
            raise ErpRejected(
                f"the tenders of {reference} pay {tendered} but its invoice "
                f"{invoice['number']} totals {invoice['total_amount']}"
            )
        planned = await self._plan(reference, invoice, tenders)
        booked = await self._payment_moves(invoice_id, [tender.description for tender in planned])
        payment_lines: list[int] = []
        reconcile_lines: list[int] = []
        for tender in planned:
            move = booked.get(tender.description)
            if move is None:
                move = {"id": await self._create_move(invoice, tender), "state": DRAFT}
            if move["state"] == DRAFT:
                move = await self._rest.click(
                    "account.move",
                    move["id"],
                    "post",
                    ["state", "lines.account", "lines.debit", "lines.credit"],
                )
            receivable = [line for line in move["lines"] if line["account"] == invoice["account"]]
            reconcile_lines += [line["id"] for line in receivable]
            payment_lines += [line["id"] for line in receivable if _pays(line, invoice)]
        if len(payment_lines) != len(reconcile_lines):
            # Cash handed back (cash-back on a card) runs the other way, and the card then
            # pays more than the invoice: Tryton takes neither as payment lines. Reconciling
            # all of them with the invoice, which nets to zero, settles it all the same.
            payment_lines = []
        new_lines = sorted(set(payment_lines) - set(invoice["payment_lines"]))
        if new_lines:
            await self._rest.write(
                "account.invoice", invoice_id, {"payment_lines": [["add", new_lines]]}
            )
        open_lines = [line["id"] for line in invoice["lines_to_pay"] if not line["reconciliation"]]
        if open_lines:
            await self._wizard(
                "account.move.reconcile_lines", "account.move.line", open_lines + reconcile_lines
            )
        if invoice["lines_to_pay"]:  # reconciled now: Tryton marks the invoice paid
            await self._until_state(reference, invoice_id, PAID, lambda state: state != PAID)

    async def void_if_present(self, reference: str, invoice_id: int) -> None:
        """Undo ``pay``: the invoice back to posted and unpaid, its payments reversed."""
        moves = await self._rest.search(
            "account.move",
            [
                ("origin", "=", f"account.invoice,{invoice_id}"),
                ("description", "like", f"{reference} tender %"),
            ],
            ["state", "lines.account"],
        )
        if not moves:
            return
        invoice = await self._rest.read("account.invoice", invoice_id, _INVOICE_FIELDS)
        reconciled = [line["id"] for line in invoice["lines_to_pay"] if line["reconciliation"]]
        if reconciled:
            await self._wizard("account.move.unreconcile_lines", "account.move.line", reconciled)
        await self._until_state(reference, invoice_id, POSTED, lambda state: state == PAID)
        reversed_moves = {
            move["origin"]
            for move in await self._rest.search(
                "account.move",
                [("origin", "in", [f"account.move,{move['id']}" for move in moves])],
                ["origin"],
            )
        }
        to_cancel = [
            move["id"]
            for move in moves
            if move["state"] == POSTED and f"account.move,{move['id']}" not in reversed_moves
        ]
        if to_cancel:
            await self._wizard(
                "account.move.cancel",
                "account.move",
                to_cancel,
                state="cancel",
                data={"default": {"description": f"{reference} tender voided", "reversal": True}},
            )
        paying = sorted(
            set(invoice["payment_lines"]) & {line["id"] for move in moves for line in move["lines"]}
        )
        if paying:
            await self._rest.write(
                "account.invoice", invoice_id, {"payment_lines": [["remove", paying]]}
            )

    async def _until_state(
        self, reference: str, invoice_id: int, state: str, pending: Callable[[str], bool]
    ) -> None:
        """Wait for Tryton's queued task that marks a reconciled invoice paid (an unreconciled
        one posted again): it runs after the request with trytond-worker (queued.py)."""
        invoice = await after_queued_tasks(
            lambda: self._rest.read("account.invoice", invoice_id, ["state"]),
            lambda invoice: pending(invoice["state"]),
        )
        if pending(invoice["state"]):
            raise ErpUnavailable(
                f"Tryton has not yet marked the invoice of {reference} {state}"
                f" (it is {invoice['state']}): its queued task has not run"
            )

    async def _plan(
        self, reference: str, invoice: Record, payments: list[ErpPayment]
    ) -> list[_Tender]:
        """Each tender with its payment method and its share of the receivable's company
        amount (to the penny: domain.money.allocate)."""
        receivable = sum(
            (line["debit"] - line["credit"] for line in invoice["lines_to_pay"]), Decimal(0)
        )
        company_currency = invoice["company"]["currency"]["code"]
        amounts = [payment.amount for payment in payments]
        company_amounts = (
            amounts
            if invoice["currency"]["code"] == company_currency
            else allocate(receivable, amounts, company_currency)
        )
        tenders: list[_Tender] = []
        for number, (payment, company_amount) in enumerate(
            zip(payments, company_amounts, strict=True), start=1
        ):
            tenders.append(
                _Tender(
                    description=tender_description(reference, number, len(payments), payment),
                    method=await self._methods.method(payment.tender_type),
                    amount=payment.amount,
                    company_amount=company_amount,
                )
            )
        return tenders

    async def _create_move(self, invoice: Record, tender: _Tender) -> int:
        booked_on = invoice["accounting_date"] or invoice["invoice_date"]
        second_currency = invoice["currency"]["id"]
        foreign = invoice["currency"]["code"] != invoice["company"]["currency"]["code"]
        amount = tender.company_amount
        receivable: Record = {
            "account": invoice["account"],
            "party": invoice["party"],
            "debit": max(-amount, Decimal(0)),
            "credit": max(amount, Decimal(0)),
        }
        counterpart: Record = {
            "account": tender.method.account_for(amount),
            "debit": max(amount, Decimal(0)),
            "credit": max(-amount, Decimal(0)),
        }
        if foreign:
            receivable["second_currency"] = counterpart["second_currency"] = second_currency
            receivable["amount_second_currency"] = -tender.amount
            counterpart["amount_second_currency"] = tender.amount
        return await self._rest.create(
            "account.move",
            {
                "journal": tender.method.journal_id,
                "period": await self._period(booked_on),
                "date": booked_on,
                "origin": f"account.invoice,{invoice['id']}",
                "description": tender.description,
                "lines": [["create", [receivable, counterpart]]],
            },
        )

    async def _payment_moves(self, invoice_id: int, descriptions: list[str]) -> dict[str, Record]:
        moves = await self._rest.search(
            "account.move",
            [
                ("origin", "=", f"account.invoice,{invoice_id}"),
                ("description", "in", descriptions),
            ],
            ["description", "state", "lines.account", "lines.debit", "lines.credit"],
        )
        return {move["description"]: move for move in moves}

    async def _period(self, day: date) -> int:
        if day in self._periods:
            return self._periods[day]
        periods = await self._rest.search(
            "account.period",
            [
                ("company", "=", self._company_id),
                ("type", "=", "standard"),
                ("start_date", "<=", day),
                ("end_date", ">=", day),
            ],
            ["id"],
        )
        if not periods:
            raise ErpRejected(f"no accounting period covers {day}")
        self._periods[day] = periods[0]["id"]
        return self._periods[day]

    async def _wizard(
        self,
        wizard: str,
        model: str,
        record_ids: list[int],
        *,
        state: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        if self._rpc is None:
            raise ErpRejected(
                f"reconciling needs Tryton's JSON-RPC ({wizard}): configure the ERP user's "
                "login and password"
            )
        await self._rpc.run_wizard(wizard, model, record_ids, state=state, data=data)


def _pays(line: Record, invoice: Record) -> bool:
    """Whether a receivable line pays the invoice (the side opposite its amount due)."""
    return bool(line["credit"] > 0) if invoice["total_amount"] > 0 else bool(line["debit"] > 0)
