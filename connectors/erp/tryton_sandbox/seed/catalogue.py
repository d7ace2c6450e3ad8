"""Accounting categories and the products a till can sell, discount or adjust."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from proteus import Model

from connectors.erp.tryton_sandbox.seed.accounting import Accounts


@dataclass(frozen=True)
class GoodsItem:
    code: str
    name: str
    list_price: Decimal
    cost_price: Decimal
    weighed: bool = False


GOODS = [
    GoodsItem("TEA-001", "Earl Grey tea 100g", Decimal("3.00"), Decimal("1.20")),
    GoodsItem("MUG-001", "Stoneware mug", Decimal("7.50"), Decimal("3.00")),
    GoodsItem("BISC-001", "Shortbread biscuits", Decimal("2.00"), Decimal("0.70")),
    GoodsItem("COF-001", "Coffee beans (kg)", Decimal("20.00"), Decimal("9.00"), weighed=True),
    GoodsItem("BAG-001", "Tote bag", Decimal("1.00"), Decimal("0.30")),
    GoodsItem("CHOC-001", "Dark chocolate bar", Decimal("1.50"), Decimal("0.55")),
]
DISCOUNT_SERVICES = {
    "DISC-PROMOTION": "Promotion discount",
    "DISC-MANUAL": "Manual price override",
    "DISC-LOYALTY": "Loyalty discount",
    "DISC-COUPON": "Coupon discount",
}
ADJUSTMENT_SERVICES = {"TAX-ADJUST": "Tax rounding adjustment"}


def _category(name: str, revenue: Any, accounts: Accounts, taxes: list[Any]) -> Any:
    Category = Model.get("product.category")
    Tax = Model.get("account.tax")
    category = Category(
        name=name,
        accounting=True,
        account_revenue=revenue,
        account_expense=accounts.expense,
        account_stock=accounts.stock,
        account_stock_in=accounts.stock_interim,
        account_stock_out=accounts.stock_interim,
        account_cogs=accounts.cogs,
    )
    category.customer_taxes.extend(Tax(tax.id) for tax in taxes)
    category.save()
    return category


def _template(code: str, name: str, category: Any, unit: Any, **values: Any) -> Any:
    Template = Model.get("product.template")
    return Template(
        name=name,
        code=code,
        default_uom=unit,
        salable=True,
        account_category=category,
        **values,
    )


def create_products(
    accounts: Accounts, standard_vat: Any, discount_accounts: dict[str, Any]
) -> list[Any]:
    """Goods at a fixed cost price (for COGS), then the discount and adjustment services.

    Each discount service has a category of its own, so that each discount kind is booked on
    its own account (``discount_accounts``: product code -> account).
    """
    Uom = Model.get("product.uom")
    (unit,) = Uom.find([("name", "=", "Unit")])
    (kilogram,) = Uom.find([("name", "=", "Kilogram")])
    goods_category = _category("Goods", accounts.revenue_goods, accounts, [standard_vat])
    adjustment_category = _category("Adjustments", accounts.revenue_adjustments, accounts, [])

    goods = []
    for item in GOODS:
        template = _template(
            item.code,
            item.name,
            goods_category,
            kilogram if item.weighed else unit,
            type="goods",
            list_price=item.list_price,
            cost_price_method="fixed",
            purchasable=True,
        )
        (product,) = template.products
        product.cost_price = item.cost_price
        template.save()
        goods.append(template.products[0])

    services = [
        *(
            (code, name, _category(name, discount_accounts[code], accounts, [standard_vat]))
            for code, name in DISCOUNT_SERVICES.items()
        ),
        *((code, name, adjustment_category) for code, name in ADJUSTMENT_SERVICES.items()),
    ]
    for code, name, category in services:
        template = _template(code, name, category, unit, type="service", list_price=Decimal(0))
        template.save()
    return goods
