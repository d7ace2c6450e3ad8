"""A store's master data in Sitoo's shapes (REST API v2 "product" and "campaign" objects), for
tills that read Sitoo's own article feed.

Products: ``sku`` (the item code), ``title``, ``barcode`` and ``barcodealiases``, ``unitlabel``,
``vatvalue`` (a percentage), ``moneyprice`` (two-decimal string, VAT included, as Sitoo POS
prices are; a store that rings prices net gets the net price and ``pricesincludevat`` false),
and ``decimalunitquantity`` for the pack factor; a delta's item the ERP deactivated is its
``sku`` with ``active`` and ``activepos`` false. Campaigns: ``vouchercode`` and
``vouchername`` (the promotion's code, as Sitoo orders carry it back), ``datestart`` and
``dateend`` (unix seconds, UTC day bounds; null when open), the discounted ``products`` by sku,
``quantitymin`` and the discount as ``percentoff`` or ``moneyoff`` (or ``moneyprice``).
"""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from domain.master_data import RemovedItem, StoreArticle, StorePromotion
from domain.price_formula import PriceRuleKind
from domain.publication import MasterDataDocument


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _unix(day: date | None, end: bool) -> int | None:
    if day is None:
        return None
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    return int(moment.timestamp())


def sitoo_product(article: StoreArticle) -> dict[str, Any]:
    return {
        "sku": article.code,
        "title": article.description,
        "barcode": article.barcodes[0] if article.barcodes else None,
        "barcodealiases": list(article.barcodes[1:]),
        "unitlabel": article.unit,
        "decimalunitquantity": _plain(article.pack_factor),
        "vatvalue": _plain(article.tax_rate * 100),
        "moneyprice": _money(article.unit_price),
        "pricesincludevat": article.prices_include_tax,
        "pricelist": article.price_list,
    }


def sitoo_removed_product(item: RemovedItem) -> dict[str, Any]:
    """An item the ERP deactivated: the product by its sku, neither active nor sold at the POS."""
    return {"sku": item.code, "active": False, "activepos": False}


_DISCOUNT_FIELDS = {
    PriceRuleKind.PERCENT_OFF: "percentoff",
    PriceRuleKind.AMOUNT_OFF: "moneyoff",
    PriceRuleKind.FIXED_PRICE: "moneyprice",
}


def sitoo_campaign(promotion: StorePromotion) -> dict[str, Any]:
    campaign: dict[str, Any] = {
        "vouchercode": promotion.code,
        "vouchername": promotion.code,
        "datestart": _unix(promotion.starts_on, end=False),
        "dateend": _unix(promotion.ends_on, end=True),
        "products": list(promotion.item_codes),
        "quantitymin": _plain(promotion.min_quantity),
    }
    field = _DISCOUNT_FIELDS.get(promotion.kind)
    if field is None:
        campaign["formula"] = promotion.formula
    else:
        campaign[field] = _plain(promotion.value)
    return campaign


def sitoo_master_data(document: MasterDataDocument) -> dict[str, Any]:
    return {
        "store": document.store_id,
        "since": document.since.isoformat() if document.since else None,
        "watermark": document.watermark.isoformat() if document.watermark else None,
        "products": [
            *(sitoo_product(article) for article in document.articles),
            *(sitoo_removed_product(item) for item in document.removed),
        ],
        "campaigns": [sitoo_campaign(promotion) for promotion in document.promotions],
    }
