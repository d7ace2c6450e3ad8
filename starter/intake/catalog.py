"""``tillsync catalog load``: put what a POS file sells into the sandbox ERP, with the mappings
that lead the till's codes there (the ERP side: ``connectors.erp.tryton_sandbox.catalog``).

From a CSV (headers ``code,name,unit,list_price,cost_price`` and optionally ``pos_code``,
``barcode``) or from the items a POSLog file sold (code = the till's SKU, name = its
description, unit and price as rung, cost = ``cost_ratio`` x price). Then, in the ERP: the
missing products, a stock count of ``quantity`` each in the warehouse, and (for a POS file)
one sales tax per till tax code at the file's effective rate, plus the fiscal years and
currency rates its business dates need and, for foreign-currency tickets, the company's
currency-exchange accounts where none is set. In the store: location, SKU, barcode and tax mappings.
"""

import csv
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import Engine

from connectors.erp.tryton.catalog import CatalogLoad
from connectors.erp.tryton.rest import TrytonRest
from connectors.erp.tryton_sandbox.catalog import (
    FOREIGN_EXCHANGE_ACCOUNT,
    CatalogPlan,
    TaxPlan,
    load_into_erp,
)
from domain.catalog import CatalogItem
from domain.mapping import MappingKind, MappingRow
from domain.transaction import PosTransaction
from starter.intake.csv_rows import validated_rows
from store.db import session_scope
from store.mappings import import_mappings

CSV_HEADERS = ("code", "name", "unit", "list_price", "cost_price", "pos_code", "barcode")
DEFAULT_COST_RATIO = Decimal("0.6")
PRICE_DIGITS = Decimal("0.0001")
RATE_DIGITS = Decimal("0.0001")


class CatalogFileError(ValueError):
    """A catalog CSV that cannot be loaded; names every bad row."""


class CatalogReport(BaseModel):
    products: CatalogLoad
    inventory_id: int
    taxes: dict[str, int]
    mappings_added: int
    mappings_updated: int

    def render(self) -> str:
        return "\n".join(
            [
                f"products   {len(self.products.created)} created,"
                f" {len(self.products.existing)} already there",
                f"stock      counted in inventory {self.inventory_id}",
                f"taxes      {', '.join(sorted(self.taxes)) or 'none'}",
                f"mappings   {self.mappings_added} added, {self.mappings_updated} updated",
            ]
        )


def read_catalog_csv(path: Path) -> list[CatalogItem]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        unknown = set(reader.fieldnames or ()) - set(CSV_HEADERS)
        if unknown:
            raise CatalogFileError(
                f"{path}: unknown headers {', '.join(sorted(unknown))};"
                f" expected {','.join(CSV_HEADERS)}"
            )
        items, errors = validated_rows(path, reader, CatalogItem)
    if errors:
        raise CatalogFileError("\n".join(errors))
    return items


def catalog_from_transactions(
    transactions: Iterable[PosTransaction], *, cost_ratio: Decimal = DEFAULT_COST_RATIO
) -> list[CatalogItem]:
    """One item per SKU sold, at the first price it was rung at, in the order first seen."""
    items: dict[str, CatalogItem] = {}
    for txn in transactions:
        for line in txn.lines:
            code = line.sku or line.barcode
            if code is None or code in items:
                continue
            items[code] = CatalogItem(
                code=code,
                name=line.description or code,
                unit=line.unit,
                list_price=line.unit_price,
                cost_price=(line.unit_price * cost_ratio).quantize(PRICE_DIGITS),
                barcode=line.barcode if line.barcode != code else None,
            )
    return list(items.values())


def effective_tax_rates(transactions: Iterable[PosTransaction]) -> dict[str, Decimal]:
    """Per till tax code: its amounts over the amounts of the lines it was charged on."""
    taxed: dict[str, Decimal] = {}
    amounts: dict[str, Decimal] = {}
    for txn in transactions:
        for line in txn.lines:
            base = line.extended_amount - line.discount_total
            for tax in line.taxes:
                taxed[tax.code] = taxed.get(tax.code, Decimal(0)) + tax.amount
                amounts[tax.code] = amounts.get(tax.code, Decimal(0)) + base
    return {
        code: (taxed[code] / amounts[code]).quantize(RATE_DIGITS)
        for code in sorted(taxed)
        if amounts[code]
    }


def plan_from_transactions(
    transactions: list[PosTransaction],
    *,
    warehouse_code: str,
    store_id: str | None,
    quantity: Decimal,
    counted_on: date | None,
    tax_like: str,
) -> CatalogPlan:
    """The catalog, taxes and books a file of transactions needs to post as recorded; the
    stock is counted the day before its first business date unless ``counted_on`` says."""
    first_day = min(txn.business_date for txn in transactions)
    return CatalogPlan(
        items=catalog_from_transactions(transactions),
        warehouse_code=warehouse_code,
        store_id=store_id,
        quantity=quantity,
        counted_on=counted_on or first_day - timedelta(days=1),
        taxes=[
            TaxPlan(pos_code=code, erp_name=f"POS{store_id or ''}-TAX{code}", rate=rate)
            for code, rate in effective_tax_rates(transactions).items()
        ],
        tax_like=tax_like,
        books_from=first_day,
        exchange_account=FOREIGN_EXCHANGE_ACCOUNT,
    )


async def load_catalog(
    rest: TrytonRest, company_id: int, engine: Engine, plan: CatalogPlan
) -> CatalogReport:
    loaded = await load_into_erp(rest, company_id, plan)
    with session_scope(engine) as session:
        added, updated = import_mappings(session, _mappings(plan))
    return CatalogReport(
        products=loaded.products,
        inventory_id=loaded.inventory_id,
        taxes=loaded.taxes,
        mappings_added=added,
        mappings_updated=updated,
    )


def _mappings(plan: CatalogPlan) -> list[MappingRow]:
    store = plan.store_id or ""
    rows = [
        MappingRow(kind=MappingKind.SKU, pos_code=item.sku, erp_code=item.code)
        for item in plan.items
    ]
    rows += [
        MappingRow(kind=MappingKind.BARCODE, pos_code=item.barcode, erp_code=item.code)
        for item in plan.items
        if item.barcode
    ]
    rows += [
        MappingRow(
            kind=MappingKind.TAX, store_id=store, pos_code=tax.pos_code, erp_code=tax.erp_name
        )
        for tax in plan.taxes
    ]
    if plan.store_id:
        rows.append(
            MappingRow(kind=MappingKind.LOCATION, store_id=store, erp_code=plan.warehouse_code)
        )
    return rows
