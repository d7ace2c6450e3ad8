"""A booking's revenue and discount figures, from net amounts summed by line and tax codes."""

from decimal import Decimal

from domain.breakdown import (
    DiscountFigure,
    NetByTaxes,
    RevenueFigure,
    discount_figures,
    revenue_figures,
)


def test_revenue_figures_come_one_per_product_and_tax_codes_sorted_by_both() -> None:
    revenue: NetByTaxes = {
        ("TEA-001", ("VAT20",)): Decimal("6.00"),
        ("MUG-001", ("VAT20",)): Decimal("7.50"),
        ("MUG-001", ("VAT0", "VAT20")): Decimal("1.25"),
    }

    assert revenue_figures(revenue) == [
        RevenueFigure(product_code="MUG-001", tax_codes=["VAT0", "VAT20"], net=Decimal("1.25")),
        RevenueFigure(product_code="MUG-001", tax_codes=["VAT20"], net=Decimal("7.50")),
        RevenueFigure(product_code="TEA-001", tax_codes=["VAT20"], net=Decimal("6.00")),
    ]


def test_discount_figures_come_one_per_kind_and_tax_codes_sorted_by_both() -> None:
    discounts: NetByTaxes = {
        ("promotion", ("VAT20",)): Decimal("-0.83"),
        ("loyalty", ("VAT20",)): Decimal("-0.50"),
    }

    assert discount_figures(discounts) == [
        DiscountFigure(kind="loyalty", tax_codes=["VAT20"], net=Decimal("-0.50")),
        DiscountFigure(kind="promotion", tax_codes=["VAT20"], net=Decimal("-0.83")),
    ]
