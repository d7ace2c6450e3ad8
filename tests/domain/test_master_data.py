"""Master data rules: price formulas, a store's prices and promotions, the delta's watermark,
Sitoo's shapes, and what is available to sell."""

from datetime import UTC, date, datetime
from decimal import Decimal

from connectors.pos.sitoo_articles import sitoo_master_data
from domain.erp_order import StockLevel
from domain.master_data import (
    ErpItem,
    ErpMasterData,
    ErpPromotion,
    StoreTerms,
    promotion_discount,
    store_articles,
    store_promotions,
)
from domain.price_formula import PriceRuleKind, parse_price_formula
from domain.publication import MasterDataDocument, available_to_sell

T1 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
TEA = ErpItem(
    code="TEA-002",
    description="Green tea",
    unit="Unit",
    barcodes=("5000000000017", "5000000000024"),
    tax_codes=("VAT20",),
    list_price=Decimal("2.50"),
    price_formulas={"London": "unit_price * 0.8", "Odd": "unit_price ** 2"},
    written_at=T1,
)
PROMO = ErpPromotion(
    code="TEA10",
    starts_on=date(2026, 11, 1),
    ends_on=date(2026, 11, 30),
    item_codes=("TEA-002",),
    min_quantity=Decimal(2),
    formula="unit_price*0.9",
    written_at=T2,
)
DATA = ErpMasterData(
    since=None, items=(TEA,), promotions=(PROMO,), tax_rates={"VAT20": Decimal("0.2")}
)


def test_formulas_of_known_forms_are_read_and_others_refused() -> None:
    assert parse_price_formula("unit_price * 0.9").kind is PriceRuleKind.PERCENT_OFF
    assert str(parse_price_formula("unit_price * 0.9").value) == "10"
    assert parse_price_formula("unit_price - 0.50").apply(Decimal(2)) == Decimal("1.50")
    assert parse_price_formula("Decimal('4.20')").apply(Decimal(9)) == Decimal("4.20")
    assert parse_price_formula("unit_price - 5").apply(Decimal(2)) == Decimal(0)
    for formula in ("unit_price ** 2", "__import__('os')", "unit_price * 1.5"):
        assert parse_price_formula(formula).apply(Decimal(2)) is None


def test_a_vat_store_gets_its_price_list_price_with_tax_and_a_us_store_net() -> None:
    london = StoreTerms(store_id="S001", price_list="London", prices_include_tax=True)
    (article,) = store_articles(DATA, london)
    assert article.unit_price == Decimal("2.40")  # 2.50 x 0.8 x 1.2
    assert article.tax_code == "VAT20"
    new_york = StoreTerms(store_id="S009", currency="USD", prices_include_tax=False)
    assert store_articles(DATA, new_york)[0].unit_price == Decimal("2.50")
    odd = StoreTerms(store_id="S002", price_list="Odd", prices_include_tax=False)
    assert store_articles(DATA, odd)[0].unit_price == Decimal("2.50")


def test_a_promotion_keeps_its_validity_and_discounts_what_it_names() -> None:
    terms = StoreTerms(store_id="S001")
    (promotion,) = store_promotions(DATA, terms)
    assert (promotion.starts_on, promotion.ends_on) == (date(2026, 11, 1), date(2026, 11, 30))
    assert promotion.valid_on(date(2026, 11, 15)) and not promotion.valid_on(date(2026, 12, 1))
    (article,) = store_articles(DATA, terms)  # 3.00 with VAT
    assert promotion_discount(promotion, article, Decimal(2), "GBP") == Decimal("0.60")
    assert promotion_discount(promotion, article, Decimal(1), "GBP") == Decimal(0)
    other = store_promotions(
        DATA.model_copy(update={"promotions": (PROMO.model_copy(update={"price_list": "X"}),)}),
        terms,
    )
    assert other == []


def test_the_watermark_is_the_latest_write_read() -> None:
    assert DATA.watermark == T2
    assert ErpMasterData(since=T1).watermark == T1


def test_sitoo_shapes_carry_price_barcodes_and_campaign_dates() -> None:
    terms = StoreTerms(store_id="S001", price_list="London")
    document = MasterDataDocument(
        store_id="S001",
        since=None,
        watermark=DATA.watermark,
        articles=store_articles(DATA, terms),
        promotions=store_promotions(DATA, terms),
    )
    sitoo = sitoo_master_data(document)
    product = sitoo["products"][0]
    assert product["sku"] == "TEA-002" and product["moneyprice"] == "2.40"
    assert product["barcode"] == "5000000000017"
    assert product["barcodealiases"] == ["5000000000024"]
    assert product["vatvalue"] == "20"
    campaign = sitoo["campaigns"][0]
    assert campaign["vouchercode"] == "TEA10" and campaign["percentoff"] == "10"
    assert campaign["datestart"] == int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())


def test_available_to_sell_is_the_erps_available_not_less_tillsyncs_reservations_again() -> None:
    level = StockLevel(
        product_code="TEA-002", warehouse_code="WH-LON", on_hand=Decimal(10), available=Decimal(7)
    )
    assert available_to_sell(level) == Decimal(7)
    assert available_to_sell(level, held_outside_erp=Decimal(2)) == Decimal(5)
    assert available_to_sell(level, held_outside_erp=Decimal(9)) == Decimal(0)
