"""The till's tax figures against the ERP's own computation of the same ticket.

The POS's per-line tax amounts are the truth; an ERP computes tax again on its own lines and
rounds its own way, and when prices include tax it also splits each gross price into net and
tax on its own. The two sets of figures are reconciled per tax: within tolerance the ERP books
the difference as an adjustment and the books end exactly on the till's net and tax; beyond
tolerance the ticket is refused, naming both figures.
"""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from domain.money import Amount


class TaxComparison(BaseModel):
    """One tax: what the ERP computed and what the till rang."""

    model_config = ConfigDict(frozen=True)

    tax_code: str
    erp_amount: Amount
    pos_amount: Amount

    @property
    def adjustment(self) -> Decimal:
        return self.pos_amount - self.erp_amount


class TaxReconciliation(BaseModel):
    """A ticket's net and taxes as the ERP computed them and as the till rang them."""

    model_config = ConfigDict(frozen=True)

    currency: str
    erp_net: Amount
    pos_net: Amount
    taxes: list[TaxComparison]

    @property
    def erp_tax(self) -> Decimal:
        return sum((tax.erp_amount for tax in self.taxes), Decimal(0))

    @property
    def pos_tax(self) -> Decimal:
        return sum((tax.pos_amount for tax in self.taxes), Decimal(0))

    @property
    def net_adjustment(self) -> Decimal:
        """Booked on the tax-adjustment line so that the ERP's net is the till's net."""
        return self.pos_net - self.erp_net

    @property
    def tax_adjustment(self) -> Decimal:
        """Booked on the taxes so that the ERP's tax is the till's tax."""
        return self.pos_tax - self.erp_tax

    @property
    def adjusted(self) -> bool:
        return bool(self.net_adjustment) or any(tax.adjustment for tax in self.taxes)

    def within(self, tolerance: Decimal) -> bool:
        """Each side differs by no more than ``tolerance`` (taxes counted in absolute value,
        so a difference moved from one tax to another is not mistaken for rounding)."""
        tax_difference = sum((abs(tax.adjustment) for tax in self.taxes), Decimal(0))
        return abs(self.net_adjustment) <= tolerance and tax_difference <= tolerance

    def describe(self) -> str:
        return (
            f"the ERP computes net {self.erp_net} and tax {self.erp_tax} {self.currency}, "
            f"the till rang net {self.pos_net} and tax {self.pos_tax}"
        )
