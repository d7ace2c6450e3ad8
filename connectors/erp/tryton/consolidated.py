"""A day's consolidated posting as one posted ``account.move`` in Tryton's revenue journal.

Lines (debit positive, credit negative), each tagged in its description so the entry can be
read back by tender type and tax rate:

- ``tender <type>``: debit the account of the tender's payment method, as a ticket's own
  payment would (``connectors.erp.tryton.tender_methods``);
- ``unpaid``: debit the cash-sale customer's receivable with gross not covered by tenders;
- ``sales <taxes>``: credit each product category's revenue account, per set of taxes, with
  a base tax line per tax (Tryton's tax reports read them);
- ``discount <kind>``: debit the discount product's revenue account, with its tax bases;
- ``rounding``: the pennies between the tickets' nets and the line nets, on the tax
  adjustment product's account;
- ``tax <code> <rate>``: credit the tax's account with the till's amount and a tax line;
- ``cost of goods <code>`` and ``goods issued <code>``: debit COGS and credit the stock
  interim (stock out) account with the cost of what the day's sales issued (less what their
  returns received), read from the stock moves Tryton valued when the shipments were done
  (``connectors.erp.tryton.cost_of_goods``).

The move's description names the batch key; a run looks it up before creating (idempotent).
A store trading in another currency than the company's is booked at the posting date's rate
with its own amounts kept as second currency (``connectors.erp.tryton.journal_entry``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from connectors.erp.errors import ErpRejected, ErpUnknownCodes
from connectors.erp.tryton.cost_of_goods import issued_cost
from connectors.erp.tryton.documents import (
    CASH_SALE_CODE,
    DISCOUNT_PRODUCT_CODES,
    TAX_ADJUSTMENT_CODE,
)
from connectors.erp.tryton.journal_entry import Conversion, JournalEntry
from connectors.erp.tryton.periods import TrytonPeriods
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.states import DRAFT
from connectors.erp.tryton.tender_methods import TenderMethods
from domain.breakdown import rate_key
from domain.consolidation import ConsolidatedRefs, ConsolidationBatch
from domain.periods import period_containing
from domain.transaction import DiscountKind, TenderType

TENDER_LINE = "tender "
UNPAID_LINE = "unpaid"
REVENUE_JOURNAL = "REV"
_CATEGORY = "template.account_category"


def move_description(batch: ConsolidationBatch) -> str:
    return f"POS daily takings {batch.store_id} {batch.business_date.isoformat()} [{batch.key}]"


@dataclass(frozen=True)
class _ProductAccounts:
    revenue: int
    cogs: int
    stock_out: int


class TrytonConsolidatedPostings:
    def __init__(
        self,
        rest: TrytonRest,
        periods: TrytonPeriods,
        company_id: int,
        tender_methods: TenderMethods,
    ) -> None:
        self._rest = rest
        self._periods = periods
        self._company_id = company_id
        self._tender_methods = tender_methods

    async def post(self, batch: ConsolidationBatch, posting_date: date) -> ConsolidatedRefs:
        description = move_description(batch)
        found = await self._rest.search(
            "account.move",
            [("description", "=", description)],
            ["state", "number", "date", "lines"],
        )
        company_currency = await self._company_currency()
        costs = await issued_cost(self._rest, batch.stock_references, company_currency)
        if found:
            move = found[0]
        else:
            move_id = await self._rest.create(
                "account.move",
                {
                    "journal": await self._journal(),
                    "period": await self._period_id(posting_date),
                    "date": posting_date,
                    "description": description,
                    "lines": [
                        ["create", await self._lines(batch, costs, company_currency, posting_date)]
                    ],
                },
            )
            move = {"id": move_id, "state": DRAFT}
        if move["state"] == DRAFT:
            if found and move["date"] != posting_date:
                # Left by an earlier attempt, dated before its period closed: written anew for
                # the new date (and, for a store in another currency, that date's rate).
                lines = await self._lines(batch, costs, company_currency, posting_date)
                await self._rest.write(
                    "account.move",
                    move["id"],
                    {
                        "date": posting_date,
                        "period": await self._period_id(posting_date),
                        "lines": [["delete", move["lines"]], ["create", lines]],
                    },
                )
            move = await self._rest.click("account.move", move["id"], "post", ["state", "number"])
        record = await self._rest.read("account.move", move["id"], ["number", "date"])
        return ConsolidatedRefs(
            key=batch.key,
            move_id=str(move["id"]),
            move_number=record["number"],
            posting_date=record["date"],
            cost_of_goods=sum(costs.values(), Decimal(0)),
        )

    async def _lines(
        self,
        batch: ConsolidationBatch,
        costs: dict[str, Decimal],
        company_currency: str,
        posting_date: date,
    ) -> list[Record]:
        entry = await self._entry(batch, costs)
        conversion = await self._conversion(batch.currency, company_currency, posting_date)
        return entry.move_lines(conversion)

    async def _entry(self, batch: ConsolidationBatch, costs: dict[str, Decimal]) -> JournalEntry:
        totals = batch.totals
        entry = JournalEntry(batch.key, batch.currency)
        for tender, amount in totals.tenders.items():
            method = await self._tender_methods.method(TenderType(tender))
            entry.book(method.account_for(amount), f"{TENDER_LINE}{tender}", amount, settles=True)
        if totals.unpaid:
            receivable, party = await self._cash_sale_receivable()
            entry.book(receivable, UNPAID_LINE, totals.unpaid, settles=True).party = party
        taxes = await self._taxes([tax.erp_tax_code for tax in totals.taxes])
        products = await self._product_accounts(
            [item.product_code for item in totals.revenue]
            + [DISCOUNT_PRODUCT_CODES[DiscountKind(item.kind)] for item in totals.discounts]
            + [TAX_ADJUSTMENT_CODE, *costs]
        )
        for revenue in totals.revenue:
            line = entry.book(
                products[revenue.product_code].revenue,
                f"sales {' '.join(revenue.tax_codes) or 'untaxed'}",
                -revenue.net,
            )
            for code in revenue.tax_codes:
                line.add_tax(taxes[code][0], "base", revenue.net)
        for discount in totals.discounts:
            product = DISCOUNT_PRODUCT_CODES[DiscountKind(discount.kind)]
            line = entry.book(products[product].revenue, f"discount {discount.kind}", -discount.net)
            for code in discount.tax_codes:
                line.add_tax(taxes[code][0], "base", discount.net)
        if totals.rounding:
            entry.book(products[TAX_ADJUSTMENT_CODE].revenue, "rounding", -totals.rounding)
        for tax in totals.taxes:
            tax_id, invoice_account, credit_note_account = taxes[tax.erp_tax_code]
            account = invoice_account if tax.amount >= 0 else credit_note_account
            line = entry.book(account, f"tax {tax.erp_tax_code} {rate_key(tax.rate)}", -tax.amount)
            line.add_tax(tax_id, "tax", tax.amount)
        for code, amount in costs.items():
            accounts = products[code]
            entry.book(accounts.cogs, f"cost of goods {code}", amount, in_company_currency=True)
            entry.book(
                accounts.stock_out, f"goods issued {code}", -amount, in_company_currency=True
            )
        return entry

    async def _conversion(
        self, currency: str, company_currency: str, posting_date: date
    ) -> Conversion | None:
        """None for the company's own currency; else Tryton's rates on the posting date."""
        if currency == company_currency:
            return None
        records = await self._rest.search(
            "currency.currency",
            [("code", "in", [currency, company_currency])],
            ["code", "rate"],
            context={"date": posting_date},
        )
        found = {record["code"]: record for record in records}
        if currency not in found:
            raise ErpUnknownCodes("currency", [currency])
        rates = {code: record["rate"] for code, record in found.items()}
        if not rates.get(currency) or not rates.get(company_currency):
            raise ErpRejected(f"Tryton has no {currency} rate for {posting_date}")
        return Conversion(
            company_currency=company_currency,
            second_currency_id=found[currency]["id"],
            rate=rates[company_currency] / rates[currency],
        )

    async def _journal(self) -> int:
        [journal] = await self._rest.search(
            "account.journal", [("code", "=", REVENUE_JOURNAL)], ["id"], limit=1
        )
        journal_id: int = journal["id"]
        return journal_id

    async def _period_id(self, posting_date: date) -> int:
        periods = await self._periods.periods_from(posting_date)
        period = period_containing(periods, posting_date)
        if period is None:
            raise ErpRejected(f"Tryton has no accounting period for {posting_date}")
        return int(period.erp_id)

    async def _company_currency(self) -> str:
        company = await self._rest.read("company.company", self._company_id, ["currency.code"])
        code: str = company["currency"]["code"]
        return code

    async def _cash_sale_receivable(self) -> tuple[int, int]:
        records = await self._rest.search(
            "party.party", [("code", "=", CASH_SALE_CODE)], ["account_receivable"], limit=1
        )
        if not records or not records[0]["account_receivable"]:
            raise ErpUnknownCodes("customer", [CASH_SALE_CODE])
        return records[0]["account_receivable"], records[0]["id"]

    async def _taxes(self, names: list[str]) -> dict[str, tuple[int, int, int]]:
        if not names:
            return {}
        records = await self._rest.search(
            "account.tax",
            [("name", "in", sorted(set(names))), ("parent", "=", None)],
            ["name", "invoice_account", "credit_note_account"],
        )
        found = {
            record["name"]: (record["id"], record["invoice_account"], record["credit_note_account"])
            for record in records
        }
        missing = sorted(set(names) - found.keys())
        if missing:
            raise ErpUnknownCodes("tax", missing)
        return found

    async def _product_accounts(self, codes: list[str]) -> dict[str, _ProductAccounts]:
        wanted = sorted(set(codes))
        records = await self._rest.search(
            "product.product",
            [("code", "in", wanted)],
            [
                "code",
                f"{_CATEGORY}.account_revenue",
                f"{_CATEGORY}.account_cogs",
                f"{_CATEGORY}.account_stock_out",
            ],
        )
        found = {record["code"]: _product_accounts(record) for record in records}
        missing = [code for code in wanted if code not in found]
        if missing:
            raise ErpUnknownCodes("product", missing)
        return found


def _product_accounts(record: Record) -> _ProductAccounts:
    category = record["template"]["account_category"]
    return _ProductAccounts(
        revenue=category["account_revenue"],
        cogs=category["account_cogs"],
        stock_out=category["account_stock_out"],
    )
