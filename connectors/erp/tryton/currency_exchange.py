"""The accounts Tryton books currency-exchange differences to: an invoice in a currency other
than the company's is refused without them when its converted lines do not balance exactly."""

from connectors.erp.errors import ErpUnknownCodes
from connectors.erp.tryton.rest import TrytonRest

CONFIGURATION_ID = 1
FIELDS = ["currency_exchange_credit_account", "currency_exchange_debit_account"]


async def ensure_exchange_accounts(rest: TrytonRest, account_code: str) -> None:
    """Set both exchange accounts of the company to ``account_code`` where none is set."""
    configuration = await rest.read("account.configuration", CONFIGURATION_ID, FIELDS)
    missing = [field for field in FIELDS if not configuration[field]]
    if not missing:
        return
    accounts = await rest.search("account.account", [("code", "=", account_code)], ["id"])
    if not accounts:
        raise ErpUnknownCodes("account", [account_code])
    await rest.write(
        "account.configuration",
        CONFIGURATION_ID,
        {field: accounts[0]["id"] for field in missing},
    )
