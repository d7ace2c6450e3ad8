"""The figures reconciliation compares, POS side against ERP side: tickets, gross, net, tax,
tax per tax, tenders per type.

Tax is compared by the tax itself: the ERP tax a till's tax code maps to (or the till's code).
A rate is no key: a till such as NCR writes each ticket's effective rate, derived from rounded
amounts (10.025 %, 10.151 %, ...) while the ERP books one tax at 10.1 %, and grouping by rate
would report a good day as twenty differences. ``tax_by_rate`` is kept for reading only.
Figures break tax down by tax (``itemised``) when their per-tax amounts are known; a side that
does not break it down is compared on its tax total alone.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, Field

from domain.money import Amount

TICKETS = "tickets"
_TAX_PREFIX = "tax "


def tax_metric(tax_code: str) -> str:
    return f"{_TAX_PREFIX}{tax_code}"


def is_tax_metric(metric: str) -> bool:
    return metric.startswith(_TAX_PREFIX)


class Figures(BaseModel):
    count: int = 0
    gross: Amount = Decimal(0)
    net: Amount = Decimal(0)
    tax: Amount = Decimal(0)
    tax_by_rate: dict[str, Amount] = Field(
        default_factory=dict, description="for reading only: never compared"
    )
    tax_by_code: dict[str, Amount] = Field(
        default_factory=dict, description="the ERP tax (or the till's tax code) -> amount"
    )
    tenders: dict[str, Amount] = Field(default_factory=dict)

    @property
    def itemised(self) -> bool:
        """Whether tax is broken down by tax (nothing to break down counts as broken down)."""
        return bool(self.tax_by_code) or not self.tax

    def metrics(self) -> dict[str, Decimal]:
        values: dict[str, Decimal] = {
            TICKETS: Decimal(self.count),
            "gross": self.gross,
            "net": self.net,
            "tax": self.tax,
        }
        values |= {tax_metric(code): amount for code, amount in self.tax_by_code.items()}
        values |= {f"tender {kind}": amount for kind, amount in self.tenders.items()}
        return values


def add_figures(items: Iterable[Figures]) -> Figures:
    total = Figures()
    tax_by_rate: dict[str, Decimal] = defaultdict(Decimal)
    tax_by_code: dict[str, Decimal] = defaultdict(Decimal)
    tenders: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        total.count += item.count
        total.gross += item.gross
        total.net += item.net
        total.tax += item.tax
        for rate, amount in item.tax_by_rate.items():
            tax_by_rate[rate] += amount
        for code, amount in item.tax_by_code.items():
            tax_by_code[code] += amount
        for kind, amount in item.tenders.items():
            tenders[kind] += amount
    total.tax_by_rate = dict(sorted(tax_by_rate.items()))
    total.tax_by_code = dict(sorted(tax_by_code.items()))
    total.tenders = dict(sorted(tenders.items()))
    return total
