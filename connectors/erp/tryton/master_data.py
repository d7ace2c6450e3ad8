"""Master data read from Tryton: salable goods (product.product and its template), their
price list lines (product_price_list), promotions (sale_promotion) and customer tax rates.

A delta asks for what was written at or after a watermark: products whose variant or template
changed, products one of whose price list lines changed, and changed promotions. An item's
taxes are its accounting category's customer taxes (Tryton 8 keeps them there). Tryton's
write dates are naive UTC (``write_date`` is empty until a record's first write, so the
creation date counts too). Price list lines by category or by quantity are not a till's
single price and are left out. Goods deactivated (variant or template) or no longer salable
are read as removed.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.erp.tryton.rest import Record, TrytonRest
from domain.master_data import ErpItem, ErpMasterData, ErpPromotion, RemovedItem
from domain.price_formula import plain

_PRODUCT_FIELDS = [
    "code",
    "write_date",
    "create_date",
    "identifiers.code",
    "template.name",
    "template.list_price",
    "template.write_date",
    "template.create_date",
    "template.default_uom.factor",
    "template.sale_uom.name",
    "template.sale_uom.factor",
    "template.account_category.customer_taxes",
]
_PROMOTION_FIELDS = [
    "name",
    "start_date",
    "end_date",
    "quantity",
    "formula",
    "price_list.name",
    "products.code",
    "write_date",
    "create_date",
]


def _changed_since(since: datetime | None, prefix: str = "") -> list[Any]:
    if since is None:
        return []
    return [
        [
            "OR",
            (f"{prefix}write_date", ">=", since),
            (f"{prefix}create_date", ">=", since),
        ]
    ]


def _written(record: Record) -> datetime:
    moment: datetime = record.get("write_date") or record["create_date"]
    return moment


class TrytonMasterData:
    def __init__(self, rest: TrytonRest) -> None:
        self._rest = rest

    async def read(self, since: datetime | None) -> ErpMasterData:
        products = await self._changed_products(since)
        removed = await self._removed_products(since)
        gone = {item.code for item in removed}
        products = {key: record for key, record in products.items() if record["code"] not in gone}
        lines = await self._price_lines(sorted(products)) if products else []
        promotions = await self._rest.search(
            "sale.promotion", _changed_since(since), _PROMOTION_FIELDS, order=[("id", "ASC")]
        )
        taxes = await self._rest.search(
            "account.tax", [("parent", "=", None), ("type", "=", "percentage")], ["name", "rate"]
        )
        tax_names = {tax["id"]: tax["name"] for tax in taxes}
        return ErpMasterData(
            since=since,
            items=tuple(
                self._item(products[product_id], lines, tax_names)
                for product_id in sorted(products)
            ),
            promotions=tuple(_promotion(record) for record in promotions),
            tax_rates={tax["name"]: Decimal(str(tax["rate"])) for tax in taxes},
            removed=tuple(removed),
        )

    async def _removed_products(self, since: datetime | None) -> list[RemovedItem]:
        """Goods deactivated (the variant or its template) or no longer salable, changed at or
        after ``since``: what the tills must drop."""
        domain: list[Any] = [
            ("type", "=", "goods"),
            ("code", "!=", None),
            [
                "OR",
                ("active", "=", False),
                ("template.active", "=", False),
                ("salable", "=", False),
            ],
        ]
        if since is not None:
            domain.append(["OR", *_changed_since(since), *_changed_since(since, "template.")])
        found = await self._rest.search(
            "product.product",
            domain,
            ["code", "write_date", "create_date", "template.write_date", "template.create_date"],
            context={"active_test": False},
        )
        return [
            RemovedItem(
                code=record["code"],
                written_at=max(_written(record), _written(record["template"])),
            )
            for record in sorted(found, key=lambda record: record["code"])
        ]

    async def _changed_products(self, since: datetime | None) -> dict[int, Record]:
        salable: list[Any] = [("salable", "=", True), ("type", "=", "goods"), ("code", "!=", None)]
        domain = salable
        if since is not None:
            domain = [
                *salable,
                [
                    "OR",
                    *_changed_since(since),
                    *_changed_since(since, "template."),
                ],
            ]
        found = await self._rest.search("product.product", domain, _PRODUCT_FIELDS)
        products = {record["id"]: record for record in found}
        if since is None:
            return products
        repriced = await self._rest.search(
            "product.price_list.line",
            [("product", "!=", None), *_changed_since(since)],
            ["product"],
        )
        missing = sorted({line["product"] for line in repriced} - products.keys())
        if missing:
            more = await self._rest.search(
                "product.product", [*salable, ("id", "in", missing)], _PRODUCT_FIELDS
            )
            products |= {record["id"]: record for record in more}
        return products

    async def _price_lines(self, product_ids: Sequence[int]) -> list[Record]:
        """Each list's lines for these products, in the list's own order (the first that
        matches sets the price, as Tryton's ``compute`` does)."""
        return await self._rest.search(
            "product.price_list.line",
            [("product", "in", list(product_ids))],
            ["product", "price_list.name", "formula", "quantity", "write_date", "create_date"],
            order=[("price_list", "ASC"), ("sequence", "ASC"), ("id", "ASC")],
        )

    @staticmethod
    def _item(record: Record, lines: list[Record], tax_names: dict[int, str]) -> ErpItem:
        template = record["template"]
        default_factor = Decimal(str(template["default_uom"]["factor"]))
        sale_uom = template["sale_uom"]
        pack = plain(Decimal(str(sale_uom["factor"])) / default_factor)
        formulas: dict[str, str] = {}
        written = [_written(record), _written(template)]
        for line in lines:
            if line["product"] != record["id"] or line.get("quantity"):
                continue
            formulas.setdefault(line["price_list"]["name"], line["formula"])
            written.append(_written(line))
        category = template.get("account_category") or {"customer_taxes": []}
        return ErpItem(
            code=record["code"],
            description=template["name"],
            unit=sale_uom["name"],
            pack_factor=pack,
            barcodes=tuple(identifier["code"] for identifier in record["identifiers"]),
            tax_codes=tuple(
                tax_names[tax] for tax in category["customer_taxes"] if tax in tax_names
            ),
            list_price=Decimal(str(template["list_price"])) * pack,
            price_formulas=formulas,
            written_at=max(written),
        )


def _promotion(record: Record) -> ErpPromotion:
    price_list = record.get("price_list")
    return ErpPromotion(
        code=record["name"],
        starts_on=record.get("start_date"),
        ends_on=record.get("end_date"),
        item_codes=tuple(product["code"] for product in record["products"]),
        min_quantity=Decimal(str(record.get("quantity") or 0)),
        formula=record["formula"],
        price_list=price_list["name"] if price_list else None,
        written_at=_written(record),
    )
