"""Seed a Tryton database whose modules are already activated (see the package docstring)."""

import argparse
from datetime import date

from proteus import config

from connectors.erp.tryton_sandbox.seed.accounting import (
    create_chart,
    create_fiscal_year,
    create_taxes,
)
from connectors.erp.tryton_sandbox.seed.api_key import create_rest_key
from connectors.erp.tryton_sandbox.seed.catalogue import create_products
from connectors.erp.tryton_sandbox.seed.company import create_company, create_currencies
from connectors.erp.tryton_sandbox.seed.discounts import create_discount_accounts
from connectors.erp.tryton_sandbox.seed.parties import (
    create_cash_sale_party,
    create_supplier_party,
)
from connectors.erp.tryton_sandbox.seed.tenders import create_tender_payment_methods
from connectors.erp.tryton_sandbox.seed.warehouses import (
    book_opening_stock_to_equity,
    create_warehouses,
    stock_opening_inventory,
)


def seed(this_year: int) -> None:
    """Company, books for last, this and next year, catalogue, stores and the REST key."""
    opening_day = date(this_year - 1, 1, 1)
    currencies = create_currencies(rates_from=opening_day)
    company = create_company(currencies["GBP"])
    accounts = create_chart(company)
    for year in (this_year - 1, this_year, this_year + 1):
        create_fiscal_year(company, year)
    taxes = create_taxes(accounts)
    goods = create_products(
        accounts, standard_vat=taxes["VAT20"], discount_accounts=create_discount_accounts(accounts)
    )
    create_tender_payment_methods(company)
    warehouses = create_warehouses()
    stock_opening_inventory(warehouses, goods, on=opening_day)
    book_opening_stock_to_equity(accounts, on=opening_day)
    create_cash_sale_party(accounts)
    create_supplier_party(accounts)
    create_rest_key()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True, help="trytond configuration file")
    parser.add_argument("--database", required=True, help="database name")
    parser.add_argument("--year", type=int, required=True, help="this year: books span -1..+1")
    arguments = parser.parse_args()
    config.set_trytond(database=arguments.database, config_file=arguments.config)
    seed(arguments.year)


if __name__ == "__main__":
    main()
