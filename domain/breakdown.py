"""A ticket's figures broken down the way finance reads them, kept on its journal row.

Reconciliation needs tax by rate and tenders by type; the daily consolidated posting also
needs what the ERP order booked: net revenue per product, discounts by kind and taxes with
their bases, each grouped by the taxes that apply. Amounts are unrounded sums of the till's
own figures (already in minor units), signed like the ticket (a return is negative).
"""

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from pydantic import BaseModel, Field

from domain.erp_order import ErpDiscountLine, ErpOrder, ErpProductLine
from domain.money import Amount
from domain.transaction import PosTransaction


def rate_key(rate: Decimal) -> str:
    """A tax rate as finance writes it, and as breakdowns key it: 0.20 -> "20%"."""
    percent = (rate * 100).normalize()
    return f"{percent:f}%"


class RevenueFigure(BaseModel):
    """Net revenue (or a discount) booked on one ERP product under one set of taxes."""

    product_code: str
    tax_codes: list[str] = Field(default_factory=list, description="ERP tax codes, sorted")
    net: Amount


class DiscountFigure(BaseModel):
    kind: str
    tax_codes: list[str] = Field(default_factory=list)
    net: Amount = Field(description="net of tax; negative: it reduces revenue")


class TaxFigure(BaseModel):
    erp_tax_code: str
    rate: Amount
    base: Amount
    amount: Amount = Field(description="the till's tax: the truth")


class OrderBooking(BaseModel):
    """What the ticket's ERP order books, summed by the keys a journal entry needs."""

    revenue: list[RevenueFigure] = Field(default_factory=list)
    discounts: list[DiscountFigure] = Field(default_factory=list)
    taxes: list[TaxFigure] = Field(default_factory=list)


class TicketBreakdown(BaseModel):
    tax_by_rate: dict[str, Amount] = Field(default_factory=dict)
    tenders: dict[str, Amount] = Field(default_factory=dict, description="type -> net paid")
    discounts: dict[str, Amount] = Field(default_factory=dict, description="kind -> as rung")
    booking: OrderBooking | None = Field(
        default=None, description="set when the ticket reached the ERP as an order"
    )

    def tax_by_code(self) -> dict[str, Decimal]:
        """The till's tax by the ERP tax it was booked as (empty: not known)."""
        if self.booking is None:
            return {}
        return {tax.erp_tax_code: tax.amount for tax in self.booking.taxes}


def ticket_breakdown(txn: PosTransaction, order: ErpOrder | None) -> TicketBreakdown:
    tax_by_rate: dict[str, Decimal] = defaultdict(Decimal)
    discounts: dict[str, Decimal] = defaultdict(Decimal)
    for line in txn.lines:
        for tax in line.taxes:
            tax_by_rate[rate_key(tax.rate)] += tax.amount
        for discount in line.discounts:
            discounts[discount.kind.value] += discount.amount
    for discount in txn.discounts:
        discounts[discount.kind.value] += discount.amount
    tenders: dict[str, Decimal] = defaultdict(Decimal)
    for tender in txn.tenders:
        tenders[tender.type.value] += tender.net_amount
    return TicketBreakdown(
        tax_by_rate=dict(tax_by_rate),
        tenders=dict(tenders),
        discounts=dict(discounts),
        booking=order_booking(order) if order else None,
    )


def order_booking(order: ErpOrder) -> OrderBooking:
    revenue: dict[tuple[str, tuple[str, ...]], Decimal] = defaultdict(Decimal)
    for product in order.product_lines:
        revenue[(product.product_code, _tax_codes(product))] += product.net_amount
    discounts: dict[tuple[str, tuple[str, ...]], Decimal] = defaultdict(Decimal)
    for discount in order.discount_lines:
        discounts[(discount.kind.value, _tax_codes(discount))] += discount.net_amount
    return OrderBooking(
        revenue=revenue_figures(revenue), discounts=discount_figures(discounts), taxes=_taxes(order)
    )


NetByTaxes = Mapping[tuple[str, tuple[str, ...]], Decimal]
"""Net amounts by (product code or discount kind, the line's ERP tax codes)."""


def revenue_figures(revenue: NetByTaxes) -> list[RevenueFigure]:
    """One figure per product and tax codes, in that order."""
    return [
        RevenueFigure(product_code=code, tax_codes=list(taxes), net=net)
        for (code, taxes), net in sorted(revenue.items())
    ]


def discount_figures(discounts: NetByTaxes) -> list[DiscountFigure]:
    """One figure per discount kind and tax codes, in that order."""
    return [
        DiscountFigure(kind=kind, tax_codes=list(taxes), net=net)
        for (kind, taxes), net in sorted(discounts.items())
    ]


def _tax_codes(line: ErpProductLine | ErpDiscountLine) -> tuple[str, ...]:
    return tuple(sorted({tax.erp_tax_code for tax in line.taxes}))


def _taxes(order: ErpOrder) -> list[TaxFigure]:
    rates: dict[str, Decimal] = {}
    bases: dict[str, Decimal] = defaultdict(Decimal)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    lines: list[ErpProductLine | ErpDiscountLine] = [*order.product_lines, *order.discount_lines]
    for line in lines:
        for tax in line.taxes:
            rates[tax.erp_tax_code] = tax.rate
            bases[tax.erp_tax_code] += line.net_amount
            amounts[tax.erp_tax_code] += tax.pos_amount
    return [
        TaxFigure(erp_tax_code=code, rate=rates[code], base=bases[code], amount=amounts[code])
        for code in sorted(rates)
    ]
