"""Tryton's price formulas (price list lines, promotions), read without evaluating code.

Tryton stores a price as a Python expression over ``unit_price`` (the list price), e.g.
``unit_price * 0.9`` or ``12.50``. tillsync never evaluates it: it recognises the forms a
merchandiser writes and refuses any other (the item keeps its list price, the promotion is
published as "formula" for the till to ignore), so a formula can never run code here.
"""

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

_NUMBER = r"(\d+(?:\.\d+)?)"
_SPACES = re.compile(r"\s+")
_FORMS = {
    "fixed": re.compile(rf"^(?:Decimal\(['\"]?)?{_NUMBER}(?:['\"]?\))?$"),
    "times": re.compile(rf"^unit_price\*(?:Decimal\(['\"]?)?{_NUMBER}(?:['\"]?\))?$"),
    "minus": re.compile(rf"^unit_price-(?:Decimal\(['\"]?)?{_NUMBER}(?:['\"]?\))?$"),
}


class PriceRuleKind(StrEnum):
    FIXED_PRICE = "fixed_price"
    """the item sells at ``value``"""
    PERCENT_OFF = "percent_off"
    """``value`` percent off the list price"""
    AMOUNT_OFF = "amount_off"
    """``value`` off the list price, per unit"""
    UNSUPPORTED = "formula"
    """a formula of another form: published as is, never applied by tillsync"""


class PriceRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: PriceRuleKind
    value: Decimal = Decimal(0)
    formula: str

    def apply(self, list_price: Decimal) -> Decimal | None:
        """The unit price this rule gives an item listed at ``list_price`` (never below
        zero); None for an unsupported formula."""
        match self.kind:
            case PriceRuleKind.FIXED_PRICE:
                price = self.value
            case PriceRuleKind.PERCENT_OFF:
                price = list_price * (Decimal(100) - self.value) / Decimal(100)
            case PriceRuleKind.AMOUNT_OFF:
                price = list_price - self.value
            case PriceRuleKind.UNSUPPORTED:
                return None
        return max(price, Decimal(0))


def plain(number: Decimal) -> Decimal:
    """``number`` without trailing zeros and never in exponent form (10, not 1E+1)."""
    return Decimal(format(number.normalize(), "f"))


def parse_price_formula(formula: str) -> PriceRule:
    compact = _SPACES.sub("", formula)
    for form, pattern in _FORMS.items():
        match = pattern.match(compact)
        if match is None:
            continue
        try:
            number = Decimal(match.group(1))
        except InvalidOperation:  # pragma: no cover - the pattern admits decimals only
            break
        if form == "fixed":
            return PriceRule(kind=PriceRuleKind.FIXED_PRICE, value=number, formula=formula)
        if form == "times" and number <= 1:
            off = (Decimal(1) - number) * Decimal(100)
            return PriceRule(kind=PriceRuleKind.PERCENT_OFF, value=plain(off), formula=formula)
        if form == "minus":
            return PriceRule(kind=PriceRuleKind.AMOUNT_OFF, value=number, formula=formula)
    return PriceRule(kind=PriceRuleKind.UNSUPPORTED, formula=formula)
