"""Open Tryton's books for past dates, so that an old backlog posts on the dates the till
recorded: a fiscal year (monthly periods, its own move and invoice sequences) for each year,
and currency rates in force from the earliest date."""

from datetime import date

from connectors.erp.errors import ErpUnknownCodes
from connectors.erp.tryton.rest import TrytonRest

STOCK_METHOD = "anglo_saxon"


class TrytonBackdating:
    def __init__(self, rest: TrytonRest, company_id: int) -> None:
        self._rest = rest
        self._company_id = company_id

    async def ensure_fiscal_year(self, year: int) -> int:
        """The company's fiscal year ``year``, created (calendar, monthly) when missing."""
        found = await self._rest.search(
            "account.fiscalyear",
            [
                ("company", "=", self._company_id),
                ("start_date", "<=", date(year, 12, 31)),
                ("end_date", ">=", date(year, 1, 1)),
            ],
            ["id"],
        )
        if found:
            fiscal_year_id: int = found[0]["id"]
            return fiscal_year_id
        moves = await self._sequence("Account Move", year)
        invoices = await self._sequence("Invoice", year)
        fiscal_year_id = await self._rest.create(
            "account.fiscalyear",
            {
                "name": str(year),
                "company": self._company_id,
                "start_date": date(year, 1, 1),
                "end_date": date(year, 12, 31),
                "move_sequence": moves,
                "account_stock_method": STOCK_METHOD,
                "invoice_sequences": [
                    [
                        "create",
                        [
                            {
                                "company": self._company_id,
                                "out_invoice_sequence": invoices,
                                "out_credit_note_sequence": invoices,
                                "in_invoice_sequence": invoices,
                                "in_credit_note_sequence": invoices,
                            }
                        ],
                    ]
                ],
            },
        )
        await self._rest.click("account.fiscalyear", fiscal_year_id, "create_period")
        return fiscal_year_id

    async def ensure_rates_from(self, day: date) -> None:
        """Make every currency convertible on ``day``: one whose earliest rate is later gets
        that same rate from ``day`` on (the company's currency needs one as much as a sale's)."""
        currencies = await self._rest.search("currency.currency", [], ["rates.date", "rates.rate"])
        for currency in currencies:
            if not currency["rates"]:
                continue
            earliest = min(currency["rates"], key=lambda rate: rate["date"])
            if earliest["date"] > day:
                await self._rest.create(
                    "currency.currency.rate",
                    {"currency": currency["id"], "date": day, "rate": earliest["rate"]},
                )

    async def _sequence(self, type_name: str, year: int) -> int:
        types = await self._rest.search("ir.sequence.type", [("name", "=", type_name)], ["id"])
        if not types:
            raise ErpUnknownCodes("sequence type", [type_name])
        return await self._rest.create(
            "ir.sequence.strict",
            {
                "name": f"{type_name} {year}",
                "sequence_type": types[0]["id"],
                "company": self._company_id,
            },
        )
