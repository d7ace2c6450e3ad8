"""The walk-in customer every till sale is booked to unless the ticket names a customer."""

from typing import Any

from proteus import Model

from connectors.erp.tryton_sandbox.seed.accounting import Accounts

CASH_SALE_CODE = "CASH-SALE"
SUPPLIER_CODE = "SUPPLIER-1"
"""The supplier the tests' purchase orders buy from."""


def create_cash_sale_party(accounts: Accounts) -> Any:
    return _party(accounts, "Cash Sale", CASH_SALE_CODE, "Walk-in customer")


def create_supplier_party(accounts: Accounts) -> Any:
    return _party(accounts, "Tea & Crockery Wholesale", SUPPLIER_CODE, "1 Warehouse Row")


def _party(accounts: Accounts, name: str, code: str, street: str) -> Any:
    Party = Model.get("party.party")
    party = Party(
        name=name,
        code=code,
        account_receivable=accounts.receivable,
        account_payable=accounts.payable,
    )
    (address,) = party.addresses
    address.street = street
    party.save()
    return party
