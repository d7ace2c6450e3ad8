"""What Tryton holds posted for the tills, read back for reconciliation.

- Per-ticket postings: the standing (posted or paid) customer invoices of the sales whose
  reference is a POS transaction's (``pos-...``), by the sale's date (the business date).
- Consolidated postings: the daily ``account.move`` entries, read by id and summed by the tags
  their lines carry (see ``connectors.erp.tryton.consolidated``).
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from connectors.erp.tryton.consolidated import TENDER_LINE, UNPAID_LINE
from connectors.erp.tryton.rest import Record, TrytonRest
from domain.breakdown import rate_key
from domain.reconciliation import ErpInvoiceFigures, ErpMoveFigures, Figures

POS_REFERENCE_PREFIX = "pos-"
"""Every POS sale's reference starts with its workflow id: ``pos-{store}-{terminal}-{txn}``."""
_STANDING = ("posted", "paid")
_INVOICE = [
    "state",
    "number",
    "accounting_date",
    "invoice_date",
    "untaxed_amount",
    "tax_amount",
    "total_amount",
    "taxes.amount",
    "taxes.tax.rate",
]


async def posted_invoices(
    rest: TrytonRest, company_id: int, start: date, end: date
) -> list[ErpInvoiceFigures]:
    sales = await rest.search(
        "sale.sale",
        [
            ("company", "=", company_id),
            ("reference", "like", f"{POS_REFERENCE_PREFIX}%"),
            ("sale_date", ">=", start),
            ("sale_date", "<=", end),
        ],
        ["reference", "sale_date", *(f"invoices.{name}" for name in _INVOICE)],
        order=[("sale_date", "ASC"), ("id", "ASC")],
    )
    return [
        ErpInvoiceFigures(
            sale_reference=sale["reference"],
            business_date=sale["sale_date"],
            invoice_number=invoice["number"],
            posting_date=invoice["accounting_date"] or invoice["invoice_date"],
            figures=_invoice_figures(invoice),
        )
        for sale in sales
        for invoice in sale["invoices"]
        if invoice["state"] in _STANDING
    ]


async def consolidated_moves(rest: TrytonRest, move_ids: list[int]) -> list[ErpMoveFigures]:
    if not move_ids:
        return []
    moves = await rest.search(
        "account.move",
        [("id", "in", sorted(set(move_ids)))],
        [
            "state",
            "number",
            "date",
            "lines.description",
            "lines.debit",
            "lines.credit",
            "lines.tax_lines.type",
            "lines.tax_lines.amount",
            "lines.tax_lines.tax.rate",
        ],
    )
    return [
        ErpMoveFigures(
            move_id=move["id"],
            number=move["number"],
            posted=move["state"] == "posted",
            posting_date=move["date"],
            figures=_move_figures(move),
        )
        for move in moves
    ]


def _invoice_figures(invoice: Record) -> Figures:
    tax_by_rate: dict[str, Decimal] = defaultdict(Decimal)
    for tax in invoice["taxes"]:
        tax_by_rate[rate_key(tax["tax"]["rate"])] += tax["amount"]
    return Figures(
        count=1,
        gross=invoice["total_amount"],
        net=invoice["untaxed_amount"],
        tax=invoice["tax_amount"],
        tax_by_rate=dict(tax_by_rate),
    )


def _move_figures(move: Record) -> Figures:
    tenders: dict[str, Decimal] = defaultdict(Decimal)
    tax_by_rate: dict[str, Decimal] = defaultdict(Decimal)
    unpaid = Decimal(0)
    for line in move["lines"]:
        amount = line["debit"] - line["credit"]
        description = line["description"] or ""
        if description.startswith(TENDER_LINE):
            tenders[description.removeprefix(TENDER_LINE)] += amount
        elif description == UNPAID_LINE:
            unpaid += amount
        for tax_line in line["tax_lines"]:
            if tax_line["type"] == "tax":
                tax_by_rate[rate_key(tax_line["tax"]["rate"])] += tax_line["amount"]
    gross = sum(tenders.values(), Decimal(0)) + unpaid
    tax = sum(tax_by_rate.values(), Decimal(0))
    return Figures(
        gross=gross,
        net=gross - tax,
        tax=tax,
        tax_by_rate=dict(sorted(tax_by_rate.items())),
        tenders=dict(sorted(tenders.items())),
    )
