"""What Tryton holds posted for the tills, read back for reconciliation.

- Per-ticket postings: the standing (posted or paid) customer invoices of the sales whose
  reference is a POS transaction's (``pos:...``, or ``pos-...`` of older runs), by the sale's
  date (the business date), with the tenders that paid them: the posted payment moves whose
  origin is the invoice, on a tender payment method's journal and not reversed, summed by the
  method's tender type (in the invoice's currency). Tax is read per ERP tax (its name: what
  the till's tax code maps to, the key the POS side uses), and by rate for reading only.
- Consolidated postings: the daily ``account.move`` entries, read by id and summed by the tags
  their lines carry (see ``connectors.erp.tryton.consolidated``), tax by the tax of each tax
  line.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from connectors.erp.tryton.consolidated import TENDER_LINE, UNPAID_LINE
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.states import POSTED, STANDING_INVOICE_STATES
from connectors.erp.tryton.tender_methods import TenderMethods
from domain.breakdown import rate_key
from domain.ids import TICKET_REFERENCE_PREFIXES
from domain.reconciliation import ErpInvoiceFigures, ErpMoveFigures, Figures

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
    "taxes.tax.name",
]


async def posted_invoices(
    rest: TrytonRest, tender_methods: TenderMethods, company_id: int, start: date, end: date
) -> list[ErpInvoiceFigures]:
    sales = await rest.search(
        "sale.sale",
        [
            ("company", "=", company_id),
            ["OR", *(("reference", "like", f"{prefix}%") for prefix in TICKET_REFERENCE_PREFIXES)],
            ("sale_date", ">=", start),
            ("sale_date", "<=", end),
        ],
        ["reference", "sale_date", *(f"invoices.{name}" for name in _INVOICE)],
        order=[("sale_date", "ASC"), ("id", "ASC")],
    )
    standing = [
        (sale, invoice)
        for sale in sales
        for invoice in sale["invoices"]
        if invoice["state"] in STANDING_INVOICE_STATES
    ]
    tenders = await _tenders_paid(rest, tender_methods, [invoice["id"] for _, invoice in standing])
    return [
        ErpInvoiceFigures(
            sale_reference=sale["reference"],
            business_date=sale["sale_date"],
            invoice_number=invoice["number"],
            posting_date=invoice["accounting_date"] or invoice["invoice_date"],
            figures=_invoice_figures(invoice, tenders.get(invoice["id"], {})),
        )
        for sale, invoice in standing
    ]


async def _tenders_paid(
    rest: TrytonRest, tender_methods: TenderMethods, invoice_ids: list[int]
) -> dict[int, dict[str, Decimal]]:
    """Per invoice id, what its standing payments booked on each tender type's accounts."""
    by_journal = {method.journal_id: method for method in (await tender_methods.all()).values()}
    paid: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    if not by_journal:
        return paid
    moves = await rest.search(
        "account.move",
        [
            ("origin", "in", [f"account.invoice,{invoice_id}" for invoice_id in invoice_ids]),
            ("journal", "in", sorted(by_journal)),
            ("state", "=", POSTED),
        ],
        [
            "origin",
            "journal",
            "lines.account",
            "lines.debit",
            "lines.credit",
            "lines.second_currency",
            "lines.amount_second_currency",
        ],
    )
    for move in await _not_reversed(rest, moves):
        method = by_journal[move["journal"]]
        tender_accounts = {method.debit_account_id, method.credit_account_id}
        invoice_id = int(move["origin"].split(",", 1)[1])
        for line in move["lines"]:
            if line["account"] in tender_accounts:
                paid[invoice_id][method.tender_type.value] += _transaction_currency_amount(line)
    return paid


async def _not_reversed(rest: TrytonRest, moves: list[Record]) -> list[Record]:
    """The moves that Tryton's *Cancel Moves* has not reversed (a void of the payment)."""
    if not moves:
        return []
    reversals = await rest.search(
        "account.move",
        [("origin", "in", [f"account.move,{move['id']}" for move in moves])],
        ["origin"],
    )
    reversed_origins = {reversal["origin"] for reversal in reversals}
    return [move for move in moves if f"account.move,{move['id']}" not in reversed_origins]


def _transaction_currency_amount(line: Record) -> Decimal:
    """A move line's debit less credit in the currency the till traded in."""
    if line["second_currency"] is not None:
        amount: Decimal = line["amount_second_currency"]
        return amount
    return Decimal(line["debit"] - line["credit"])


async def consolidated_moves(rest: TrytonRest, move_ids: list[str]) -> list[ErpMoveFigures]:
    if not move_ids:
        return []
    moves = await rest.search(
        "account.move",
        [("id", "in", sorted({int(move_id) for move_id in move_ids}))],
        [
            "state",
            "number",
            "date",
            "lines.description",
            "lines.debit",
            "lines.credit",
            "lines.second_currency",
            "lines.amount_second_currency",
            "lines.tax_lines.type",
            "lines.tax_lines.amount",
            "lines.tax_lines.tax.rate",
            "lines.tax_lines.tax.name",
        ],
    )
    return [
        ErpMoveFigures(
            move_id=str(move["id"]),
            number=move["number"],
            posted=move["state"] == POSTED,
            posting_date=move["date"],
            figures=_move_figures(move),
        )
        for move in moves
    ]


def _invoice_figures(invoice: Record, tenders: dict[str, Decimal]) -> Figures:
    tax_by_rate: dict[str, Decimal] = defaultdict(Decimal)
    tax_by_code: dict[str, Decimal] = defaultdict(Decimal)
    for tax in invoice["taxes"]:
        tax_by_rate[rate_key(tax["tax"]["rate"])] += tax["amount"]
        tax_by_code[tax["tax"]["name"]] += tax["amount"]
    return Figures(
        count=1,
        gross=invoice["total_amount"],
        net=invoice["untaxed_amount"],
        tax=invoice["tax_amount"],
        tax_by_rate=dict(tax_by_rate),
        tax_by_code=dict(sorted(tax_by_code.items())),
        tenders=dict(sorted(tenders.items())),
    )


def _move_figures(move: Record) -> Figures:
    tenders: dict[str, Decimal] = defaultdict(Decimal)
    tax_by_rate: dict[str, Decimal] = defaultdict(Decimal)
    tax_by_code: dict[str, Decimal] = defaultdict(Decimal)
    unpaid = Decimal(0)
    for line in move["lines"]:
        amount = _transaction_currency_amount(line)
        description = line["description"] or ""
        if description.startswith(TENDER_LINE):
            tenders[description.removeprefix(TENDER_LINE)] += amount
        elif description == UNPAID_LINE:
            unpaid += amount
        for tax_line in line["tax_lines"]:
            if tax_line["type"] == "tax":
                # The tax line's own amount is in the company currency; the move line (a
                # credit of the tax collected) is in the store's.
                tax_by_rate[rate_key(tax_line["tax"]["rate"])] -= amount
                tax_by_code[tax_line["tax"]["name"]] -= amount
    gross = sum(tenders.values(), Decimal(0)) + unpaid
    tax = sum(tax_by_rate.values(), Decimal(0))
    return Figures(
        gross=gross,
        net=gross - tax,
        tax=tax,
        tax_by_rate=dict(sorted(tax_by_rate.items())),
        tax_by_code=dict(sorted(tax_by_code.items())),
        tenders=dict(sorted(tenders.items())),
    )
