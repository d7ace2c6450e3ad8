"""``LineItem/Tax`` (transaction level) allocated to the lines it taxes, to the minor unit."""

from connectors.pos.errors import ConversionError
from connectors.pos.poslog.document import Node
from connectors.pos.poslog.lines import SaleLine
from domain.money import allocate

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
        for line, share in zip(taxed, allocate(amount, bases, currency), strict=True):
            line.taxes.append({"code": tax_id, "rate": rate, "amount": share})
