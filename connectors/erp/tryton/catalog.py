"""Load a catalog into Tryton over REST: products, a stock count per warehouse, sales taxes.

Every step is idempotent: a product whose code exists is left as it is, a tax whose name
exists is reused, and a stock count sets the quantity on hand (an inventory), whatever it was.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from connectors.erp.errors import ErpUnknownCodes
from connectors.erp.tryton.rest import TrytonRest
from domain.catalog import CatalogItem

UOM_NAMES = {
    "unit": "Unit",
    "kg": "Kilogram",
    "g": "Gram",
    "lb": "Pound",
    "oz": "Ounce",
    "l": "Liter",
    "m": "Meter",
}
GOODS_CATEGORY = "Goods"


class CatalogLoad(BaseModel):
    created: list[str] = Field(default_factory=list)
    existing: list[str] = Field(default_factory=list)


class TrytonCatalog:
    def __init__(self, rest: TrytonRest) -> None:
        self._rest = rest

    async def add_products(
        self, items: Sequence[CatalogItem], *, category: str = GOODS_CATEGORY
    ) -> CatalogLoad:
        """Create the goods whose codes Tryton does not know yet, sold at a fixed cost price."""
        existing = set(await self.product_ids([item.code for item in items]))
        category_id = await self._one("product.category", "name", category)
        units = {
            unit: await self._one("product.uom", "name", self._uom_name(unit))
            for unit in sorted({item.unit for item in items})
        }
        load = CatalogLoad(existing=sorted(existing))
        for item in items:
            if item.code in existing:
                continue
            unit = units[item.unit]
            await self._rest.create(
                "product.template",
                {
                    "name": item.name,
                    "code": item.code,
                    "type": "goods",
                    "default_uom": unit,
                    "salable": True,
                    "sale_uom": unit,
                    "list_price": item.list_price,
                    "cost_price_method": "fixed",
                    "account_category": category_id,
                    "products": [["create", [{"cost_price": item.cost_price}]]],
                },
            )
            existing.add(item.code)
            load.created.append(item.code)
        return load

    async def product_ids(self, codes: Sequence[str]) -> dict[str, int]:
        records = await self._rest.search(
            "product.product", [("code", "in", sorted(set(codes)))], ["code"]
        )
        return {record["code"]: record["id"] for record in records}

    async def count_stock(
        self, warehouse_code: str, quantities: Mapping[str, Decimal], on: date
    ) -> int:
        """Set each product's quantity in the warehouse's storage as of ``on`` (an inventory,
        confirmed). Returns the inventory's id."""
        records = await self._rest.search(
            "stock.location",
            [("code", "=", warehouse_code), ("type", "=", "warehouse")],
            ["storage_location"],
        )
        if not records:
            raise ErpUnknownCodes("warehouse", [warehouse_code])
        products = await self.product_ids(list(quantities))
        unknown = sorted(set(quantities) - set(products))
        if unknown:
            raise ErpUnknownCodes("product", unknown)
        inventory_id = await self._rest.create(
            "stock.inventory",
            {
                "location": records[0]["storage_location"],
                "date": on,
                "lines": [
                    [
                        "create",
                        [
                            {"product": products[code], "quantity": float(quantity)}
                            for code, quantity in quantities.items()
                        ],
                    ]
                ],
            },
        )
        await self._rest.click("stock.inventory", inventory_id, "confirm")
        return inventory_id

    async def ensure_tax(self, name: str, rate: Decimal, description: str, *, like: str) -> int:
        """The customer tax ``name`` at ``rate``, created with the accounts of tax ``like``."""
        found = await self._rest.search(
            "account.tax", [("name", "=", name), ("parent", "=", None)], ["id"]
        )
        if found:
            tax_id: int = found[0]["id"]
            return tax_id
        model = await self._rest.search(
            "account.tax",
            [("name", "=", like), ("parent", "=", None)],
            ["invoice_account", "credit_note_account"],
        )
        if not model:
            raise ErpUnknownCodes("tax", [like])
        return await self._rest.create(
            "account.tax",
            {
                "name": name,
                "description": description,
                "type": "percentage",
                "rate": rate,
                "invoice_account": model[0]["invoice_account"],
                "credit_note_account": model[0]["credit_note_account"],
            },
        )

    async def _one(self, model: str, field: str, value: str) -> int:
        records = await self._rest.search(model, [(field, "=", value)], ["id"], limit=1)
        if not records:
            raise ErpUnknownCodes(model, [value])
        record_id: int = records[0]["id"]
        return record_id

    @staticmethod
    def _uom_name(unit: str) -> str:
        return UOM_NAMES.get(unit.lower(), unit)
