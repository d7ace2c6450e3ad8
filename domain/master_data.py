"""Master data, ERP -> tills: what the ERP holds about items, prices and promotions, and what
one store's tills are sent (its price list, tax-inclusive where it rings VAT).

The ERP answers with the records written at or after a watermark (its own write dates); a
store's publication is built from them by ``store_articles`` and ``store_promotions``, pure.
"""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.money import round_money
from domain.price_formula import PriceRule, PriceRuleKind, parse_price_formula


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErpItem(_Frozen):
    """A salable product as the ERP holds it."""

    code: str
    description: str
    unit: str = Field(description="the ERP unit the till sells in (Unit, Kilogram, ...)")
    pack_factor: Decimal = Field(
        default=Decimal(1), gt=0, description="ERP stock units in one sold unit (a dozen: 12)"
    )
    barcodes: tuple[str, ...] = ()
    tax_codes: tuple[str, ...] = Field(default=(), description="the ERP's customer taxes")
    list_price: Decimal = Field(description="net of tax, per sold unit")
    price_formulas: dict[str, str] = Field(
        default_factory=dict, description="price list name -> the list's formula for the item"
    )
    written_at: datetime = Field(description="latest write of the item or one of its prices")


class RemovedItem(_Frozen):
    """An item the ERP no longer sells (deactivated, or no longer salable): tills drop it."""

    code: str
    written_at: datetime = Field(description="the ERP's write date of the deactivation")


class ErpPromotion(_Frozen):
    code: str = Field(description="the promotion's name in the ERP: the code tills ring")
    starts_on: date | None = None
    ends_on: date | None = None
    item_codes: tuple[str, ...] = Field(default=(), description="empty: every item")
    min_quantity: Decimal = Decimal(0)
    formula: str
    price_list: str | None = Field(default=None, description="only for this price list")
    written_at: datetime


class ErpMasterData(_Frozen):
    """What the ERP wrote at or after ``since`` (None: everything), and the tax rates."""

    since: datetime | None
    items: tuple[ErpItem, ...] = ()
    promotions: tuple[ErpPromotion, ...] = ()
    tax_rates: dict[str, Decimal] = Field(default_factory=dict)
    removed: tuple[RemovedItem, ...] = ()

    @property
    def watermark(self) -> datetime | None:
        """Where the next delta starts: the latest write date read (``since`` when none)."""
        written = [item.written_at for item in self.items]
        written += [promotion.written_at for promotion in self.promotions]
        written += [item.written_at for item in self.removed]
        return max(written, default=self.since)


class StoreTerms(_Frozen):
    """How a store sells: its price list (None: the ERP's list price) and whether its tills
    ring tax-inclusive prices (UK VAT) or add tax at the end (US sales tax)."""

    store_id: str
    currency: str = "GBP"
    price_list: str | None = None
    prices_include_tax: bool = True


class StoreArticle(_Frozen):
    code: str
    description: str
    unit: str
    pack_factor: Decimal
    barcodes: tuple[str, ...]
    tax_code: str | None
    tax_rate: Decimal
    unit_price: Decimal = Field(description="as the till rings it: tax-inclusive if the store is")
    prices_include_tax: bool
    price_list: str | None
    written_at: datetime


class StorePromotion(_Frozen):
    code: str
    kind: PriceRuleKind
    value: Decimal
    formula: str
    starts_on: date | None
    ends_on: date | None
    item_codes: tuple[str, ...]
    min_quantity: Decimal
    written_at: datetime

    def valid_on(self, day: date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and (
            self.ends_on is None or day <= self.ends_on
        )


def unit_price(item: ErpItem, terms: StoreTerms, tax_rate: Decimal) -> Decimal:
    """The store's price list's price (the list price when the list has none for the item
    or its formula is of an unsupported form), with tax where the store rings it."""
    net = item.list_price
    if terms.price_list is not None and terms.price_list in item.price_formulas:
        listed = parse_price_formula(item.price_formulas[terms.price_list]).apply(net)
        net = net if listed is None else listed
    gross = net * (Decimal(1) + tax_rate) if terms.prices_include_tax else net
    return round_money(gross, terms.currency)


def store_articles(data: ErpMasterData, terms: StoreTerms) -> list[StoreArticle]:
    articles = []
    for item in data.items:
        tax_code = item.tax_codes[0] if item.tax_codes else None
        rate = sum((data.tax_rates.get(code, Decimal(0)) for code in item.tax_codes), Decimal(0))
        articles.append(
            StoreArticle(
                code=item.code,
                description=item.description,
                unit=item.unit,
                pack_factor=item.pack_factor,
                barcodes=item.barcodes,
                tax_code=tax_code,
                tax_rate=rate,
                unit_price=unit_price(item, terms, rate),
                prices_include_tax=terms.prices_include_tax,
                price_list=terms.price_list,
                written_at=item.written_at,
            )
        )
    return articles


def store_promotions(data: ErpMasterData, terms: StoreTerms) -> list[StorePromotion]:
    """The promotions that apply to the store: those of no price list, or of its own."""
    promotions = []
    for promotion in data.promotions:
        if promotion.price_list not in (None, terms.price_list):
            continue
        rule: PriceRule = parse_price_formula(promotion.formula)
        promotions.append(
            StorePromotion(
                code=promotion.code,
                kind=rule.kind,
                value=rule.value,
                formula=promotion.formula,
                starts_on=promotion.starts_on,
                ends_on=promotion.ends_on,
                item_codes=promotion.item_codes,
                min_quantity=promotion.min_quantity,
                written_at=promotion.written_at,
            )
        )
    return promotions


def promotion_discount(
    promotion: StorePromotion, article: StoreArticle, quantity: Decimal, currency: str
) -> Decimal:
    """What the promotion takes off ``quantity`` of ``article`` at the till's price (zero when
    it does not apply: another item, too few, or an unsupported formula)."""
    if promotion.item_codes and article.code not in promotion.item_codes:
        return Decimal(0)
    if quantity < promotion.min_quantity:
        return Decimal(0)
    rule = PriceRule(kind=promotion.kind, value=promotion.value, formula=promotion.formula)
    discounted = rule.apply(article.unit_price)
    if discounted is None:
        return Decimal(0)
    return round_money((article.unit_price - discounted) * quantity, currency)
