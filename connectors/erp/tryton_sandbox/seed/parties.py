"""The walk-in customer every till sale is booked to unless the ticket names a customer."""

from typing import Any

from proteus import Model

from connectors.erp.tryton_sandbox.seed.accounting import Accounts

CASH_SALE_CODE = "CASH-SALE"
SUPPLIER_CODE = "SUPPLIER-1"
"""The supplier the tests' purchase orders buy from."""


def create_cash_sale_party(accounts: Accounts) -> Any:
    Party = Model.get("party.party")
    party = Party(
        name="Cash Sale",
        code=CASH_SALE_CODE,
        account_receivable=accounts.receivable,
        account_payable=accounts.payable,
    )
    (address,) = party.addresses
    address.street = "Walk-in customer"
    party.save()
    return party


def create_supplier_party(accounts: Accounts) -> Any:
    Party = Model.get("party.party")
    party = Party(
        name="Tea & Crockery Wholesale",
        code=SUPPLIER_CODE,
        account_receivable=accounts.receivable,
        account_payable=accounts.payable,
    )
    (address,) = party.addresses
    address.street = "1 Warehouse Row"
    party.save()
    return party
