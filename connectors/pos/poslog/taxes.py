"""``LineItem/Tax`` (transaction level) allocated to the lines it taxes, to the minor unit."""

from collections.abc import Sequence
from decimal import Decimal

from connectors.pos.errors import ConversionError
from connectors.pos.poslog.document import Node
from connectors.pos.poslog.lines import SaleLine
from domain.money import round_money

MAX_TAX_LINE_ITEMS = 20
"""Tax line items of one transaction (NCR writes one per tax id)."""


def allocate_taxes(lines: list[SaleLine], taxes: list[Node], currency: str) -> None:
    if len(taxes) > MAX_TAX_LINE_ITEMS:
        raise ConversionError(
            taxes[0].path, f"{len(taxes)} tax line items; at most {MAX_TAX_LINE_ITEMS}"
        )
    for tax in taxes:
        tax_id = tax.attribute("acs:TaxID")
        if not tax_id:
            raise ConversionError(tax.where("@acs:TaxID"), "missing")
        amount = tax.decimal("Amount")
        rate = tax.decimal("Percent") / 100
        taxed = [line for line in lines if f"Tax{tax_id}" in line.itemizers]
        bases = [line.taxable_amount for line in taxed]
        if amount and not sum(bases):
            raise ConversionError(
                tax.where("Amount"),
                f"no taxable amount on lines flagged acs:Itemizers/@Tax{tax_id}",
            )
        for line, share in zip(taxed, _shares(amount, bases, currency), strict=True):
            line.taxes.append({"code": tax_id, "rate": rate, "amount": share})


def _shares(total: Decimal, bases: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``total`` split in proportion to ``bases``; the rounding residue goes to the largest."""
    if not bases:
        return []
    base_total = sum(bases, Decimal(0))
    if not base_total:
        return [Decimal(0)] * len(bases)
    shares = [round_money(total * base / base_total, currency) for base in bases]
    largest = max(range(len(bases)), key=lambda index: abs(bases[index]))
    shares[largest] += total - sum(shares, Decimal(0))
    return shares
