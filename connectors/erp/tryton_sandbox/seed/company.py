"""The demo company, its currencies and the setting that lets a posted sale be cancelled."""

from datetime import date
from decimal import Decimal
from typing import Any

from proteus import Model, Wizard
from proteus.config import get_config

COMPANY_NAME = "tillsync Demo Retail Ltd"
_CURRENCIES = {
    # code: (name, symbol, units of the currency for one pound)
    "GBP": ("Pound Sterling", "£", Decimal("1")),
    "USD": ("US Dollar", "$", Decimal("1.27")),
}


def create_currencies(rates_from: date) -> dict[str, Any]:
    Currency = Model.get("currency.currency")
    currencies = {}
    for code, (name, symbol, rate) in _CURRENCIES.items():
        currency = Currency(name=name, code=code, symbol=symbol, rounding=Decimal("0.01"))
        currency.rates.new(date=rates_from, rate=rate)
        currency.save()
        currencies[code] = currency
    return currencies


def create_company(currency: Any) -> Any:
    """Create the company, make it the admin's, and allow cancelling posted customer invoices.

    ``cancel_invoice_out`` is what lets ``account.invoice.cancel`` reverse a posted customer
    invoice with a cancel move (an exact mirror of its move, COGS included).
    """
    Party = Model.get("party.party")
    User = Model.get("res.user")
    party = Party(name=COMPANY_NAME)
    party.save()
    wizard = Wizard("company.company.config")
    wizard.execute("company")
    wizard.form.party = party
    wizard.form.currency = currency
    wizard.execute("add")
    get_config()._context = User.get_preferences(True, {})
    Company = Model.get("company.company")
    (company,) = Company.find([])
    company.cancel_invoice_out = True
    company.save()
    return company
