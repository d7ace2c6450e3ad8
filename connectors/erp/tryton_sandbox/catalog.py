"""A catalogue loaded into the sandbox Tryton ERP: the missing products, a stock count of each
in a warehouse, one sales tax per till tax code, and the fiscal years, currency rates and
currency-exchange accounts the tickets' dates and currencies need."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from connectors.erp.tryton.backdating import TrytonBackdating
from connectors.erp.tryton.catalog import CatalogLoad, TrytonCatalog
from connectors.erp.tryton.currency_exchange import ensure_exchange_accounts
from connectors.erp.tryton.rest import TrytonRest
from domain.catalog import CatalogItem

FOREIGN_EXCHANGE_ACCOUNT = "6.2.1"
"""The sandbox chart's "Foreign Currency Transaction Gain (Loss)"."""


class TaxPlan(BaseModel):
    pos_code: str
    erp_name: str
    rate: Decimal


class CatalogPlan(BaseModel):
    """Everything one ``catalog load`` does."""

    items: list[CatalogItem]
    warehouse_code: str
    store_id: str | None = Field(description="maps this store to the warehouse when set")
    quantity: Decimal
    counted_on: date
    taxes: list[TaxPlan] = Field(default_factory=list)
    tax_like: str = Field(default="US-NY", description="new taxes take this tax's accounts")
    books_from: date | None = Field(
        default=None, description="open fiscal years and currency rates from this date"
    )
    exchange_account: str | None = Field(
        default=None, description="book currency-exchange differences here, if none is set"
    )


class ErpCatalogLoad(BaseModel):
    """What the ERP holds after the load: products, the stock count, taxes by name."""

    products: CatalogLoad
    inventory_id: int
    taxes: dict[str, int]


async def load_into_erp(rest: TrytonRest, company_id: int, plan: CatalogPlan) -> ErpCatalogLoad:
    catalog = TrytonCatalog(rest)
    if plan.books_from is not None:
        backdating = TrytonBackdating(rest, company_id)
        for year in range(plan.books_from.year, max(plan.books_from, plan.counted_on).year + 1):
            await backdating.ensure_fiscal_year(year)
        await backdating.ensure_rates_from(min(plan.books_from, plan.counted_on))
    if plan.exchange_account is not None:
        await ensure_exchange_accounts(rest, plan.exchange_account)
    products = await catalog.add_products(plan.items)
    inventory_id = await catalog.count_stock(
        plan.warehouse_code, {item.code: plan.quantity for item in plan.items}, plan.counted_on
    )
    taxes = {
        tax.erp_name: await catalog.ensure_tax(
            tax.erp_name,
            tax.rate,
            f"Sales tax {tax.pos_code} of store {plan.store_id or 'any'} ({tax.rate:%})",
            like=plan.tax_like,
        )
        for tax in plan.taxes
    }
    return ErpCatalogLoad(products=products, inventory_id=inventory_id, taxes=taxes)
