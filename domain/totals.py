"""What a transaction's totals must be, computed from its lines the way a checker would.

A line's amount is its quantity times its unit price rounded to the currency's minor unit
(``round_money``), less its own discounts; amounts are signed like the quantity, so returned
lines count negative and give their discounts back. Basket discounts reduce the ticket: they
are subtracted from a sale or an exchange and added back to a return (a return's discount
lowers the refund). Taxes are the lines' own tax amounts, never recomputed.

- ``prices_include_tax`` false (US sales tax): net = lines - basket discounts,
  tax = sum of line taxes, gross = net + tax.
- ``prices_include_tax`` true (VAT): gross = lines - basket discounts,
  tax = sum of line taxes, net = gross - tax.

Tenders are checked against gross through ``tender_total``: what was handed over less change.
"""

from decimal import ROUND_HALF_UP, Decimal

from domain.money import minor_unit, round_money
from domain.transaction import PosLine, PosTransaction, Totals, TransactionKind

_MAX_PRICE_DECIMALS = 6


def line_amount(line: PosLine, currency: str) -> Decimal:
    """round(quantity x unit price) less the line's discounts, signed like the quantity."""
    return round_money(line.extended_amount, currency) - line.discount_total


def expected_totals(txn: PosTransaction) -> Totals:
    """The net, tax and gross that the lines and basket discounts of ``txn`` add up to."""
    lines = sum((line_amount(line, txn.currency) for line in txn.lines), Decimal(0))
    basket = sum((discount.amount for discount in txn.discounts), Decimal(0))
    if txn.kind is TransactionKind.RETURN:
        basket = -basket
    tax = sum((line.tax_total for line in txn.lines), Decimal(0))
    if txn.prices_include_tax:
        gross = lines - basket
        return Totals(net=gross - tax, tax=tax, gross=gross)
    net = lines - basket
    return Totals(net=net, tax=tax, gross=net + tax)


def tender_total(txn: PosTransaction) -> Decimal:
    """What the tenders paid, net of change: equals the gross total of a balanced ticket."""
    return sum((tender.net_amount for tender in txn.tenders), Decimal(0))


def implied_unit_price(amount: Decimal, quantity: Decimal, currency: str) -> Decimal:
    """The shortest unit price whose ``line_amount`` for ``quantity`` is exactly ``amount``.

    For a line whose amount is not a plain quantity x list price (multi-buy pricing such as
    "2 for 6.00", a scale label's price): the price is ``amount / quantity`` rounded half-up
    to the currency's minor unit, or to more decimals (up to six) when needed to reproduce
    ``amount``. ``amount`` and ``quantity`` must have the same sign; the price is positive.
    """
    if quantity == 0:
        raise ValueError("quantity must not be zero")
    if amount and (amount < 0) != (quantity < 0):
        raise ValueError(f"amount {amount} and quantity {quantity} have opposite signs")
    exact = amount / quantity
    step = minor_unit(currency)
    while step >= Decimal(1).scaleb(-_MAX_PRICE_DECIMALS):
        price = exact.quantize(step, rounding=ROUND_HALF_UP)
        if round_money(quantity * price, currency) == amount:
            return price
        step = step.scaleb(-1)
    raise ValueError(f"no unit price with ≤ {_MAX_PRICE_DECIMALS} decimals gives {amount}")
