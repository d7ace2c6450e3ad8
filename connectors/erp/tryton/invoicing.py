"""The till's net and taxes on Tryton's draft invoice, to the penny.

Tryton computes the invoice's taxes itself, as *automatic* ``account.invoice.tax`` lines, one
per tax (and sign of base), from the invoice lines. It keeps *manual* tax lines as they are,
and before posting it only checks that the automatic lines still match their bases. So the
till's figures are booked without touching Tryton's own computation:

- for each tax whose POS amount differs from Tryton's, a manual tax line with base 0 and the
  difference as amount (``POS tax rounding adjustment``), on the tax's account: it posts a tax
  line of that tax, so the tax account and tax reports carry exactly the till's tax;
- when Tryton's line amounts do not add up to the till's net (prices including tax split into
  net and tax differently, unit prices rounded to four decimals), one untaxed invoice line on
  the TAX-ADJUST service (the adjustments revenue account) carries the difference.

Then untaxed + tax = POS net + POS tax = POS gross. Both adjustments are refused, naming both
sets of figures, when they exceed the tolerance; the books are then left as Tryton computed.
"""

from dataclasses import dataclass
from decimal import Decimal

from connectors.erp.errors import ErpTotalsMismatch, ErpUnknownCodes
from connectors.erp.tryton.documents import TAX_ADJUSTMENT_CODE
from connectors.erp.tryton.rest import Record, TrytonRest
from domain.tax import TaxComparison, TaxReconciliation

TAX_ADJUSTMENT_DESCRIPTION = "POS tax rounding adjustment"
NET_ADJUSTMENT_DESCRIPTION = "POS net rounding adjustment"
_FIGURE_FIELDS = [
    "currency.code",
    "lines.product",
    "lines.amount",
    "taxes.tax.name",
    "taxes.amount",
    "taxes.manual",
    "taxes.description",
]


@dataclass(frozen=True)
class _AdjustmentProduct:
    id: int
    unit_id: int
    account_id: int


@dataclass(frozen=True)
class _InvoiceFigures:
    """A draft or posted invoice split into Tryton's own figures and tillsync's adjustments."""

    currency: str
    erp_net: Decimal
    net_adjustment_lines: dict[int, Decimal]
    erp_taxes: dict[int, Decimal]
    tax_adjustment_lines: dict[int, tuple[int, Decimal]]
    tax_names: dict[int, str]

    @classmethod
    def parse(cls, record: Record, adjustment_product_id: int) -> "_InvoiceFigures":
        erp_net = Decimal(0)
        net_adjustments: dict[int, Decimal] = {}
        for line in record["lines"]:
            if line["product"] == adjustment_product_id:
                net_adjustments[line["id"]] = line["amount"]
            else:
                erp_net += line["amount"]
        erp_taxes: dict[int, Decimal] = {}
        adjustments: dict[int, tuple[int, Decimal]] = {}
        names: dict[int, str] = {}
        for tax_line in record["taxes"]:
            tax = tax_line["tax"]
            if tax is None:
                continue
            names[tax["id"]] = tax["name"]
            if not tax_line["manual"]:
                erp_taxes[tax["id"]] = erp_taxes.get(tax["id"], Decimal(0)) + tax_line["amount"]
            elif tax_line["description"] == TAX_ADJUSTMENT_DESCRIPTION:
                adjustments[tax["id"]] = (tax_line["id"], tax_line["amount"])
        return cls(
            currency=record["currency"]["code"],
            erp_net=erp_net,
            net_adjustment_lines=net_adjustments,
            erp_taxes=erp_taxes,
            tax_adjustment_lines=adjustments,
            tax_names=names,
        )

    @property
    def booked(self) -> TaxReconciliation:
        """Tryton's figures against what the invoice carries with the adjustments."""
        return TaxReconciliation(
            currency=self.currency,
            erp_net=self.erp_net,
            pos_net=self.erp_net + sum(self.net_adjustment_lines.values(), Decimal(0)),
            taxes=[
                TaxComparison(
                    tax_code=self.tax_names[tax_id],
                    erp_amount=self.erp_taxes.get(tax_id, Decimal(0)),
                    pos_amount=self.erp_taxes.get(tax_id, Decimal(0))
                    + self.tax_adjustment_lines.get(tax_id, (0, Decimal(0)))[1],
                )
                for tax_id in sorted(self.erp_taxes.keys() | self.tax_adjustment_lines.keys())
            ],
        )


class InvoiceTaxes:
    """Books the till's net and taxes on draft invoices; reads them back from posted ones."""

    def __init__(self, rest: TrytonRest) -> None:
        self._rest = rest
        self._adjustment_product: _AdjustmentProduct | None = None
        self._tax_accounts: dict[int, tuple[int, int]] = {}

    async def book_till_figures(
        self,
        invoice_id: int,
        pos_net: Decimal,
        pos_taxes: dict[int, tuple[str, Decimal]],
        tolerance: Decimal,
    ) -> TaxReconciliation:
        """Adjust draft invoice ``invoice_id`` to the till's net and taxes; idempotent.

        ``pos_taxes``: the till's total per ERP tax id, with the tax's name. Raises
        ErpTotalsMismatch, leaving the invoice untouched, beyond ``tolerance``.
        """
        product = await self._adjustment()
        figures = _InvoiceFigures.parse(
            await self._rest.read("account.invoice", invoice_id, _FIGURE_FIELDS), product.id
        )
        names = {**figures.tax_names, **{tax_id: name for tax_id, (name, _) in pos_taxes.items()}}
        reconciliation = TaxReconciliation(
            currency=figures.currency,
            erp_net=figures.erp_net,
            pos_net=pos_net,
            taxes=[
                TaxComparison(
                    tax_code=names[tax_id],
                    erp_amount=figures.erp_taxes.get(tax_id, Decimal(0)),
                    pos_amount=pos_taxes.get(tax_id, ("", Decimal(0)))[1],
                )
                for tax_id in sorted(figures.erp_taxes.keys() | pos_taxes.keys())
            ],
        )
        if not reconciliation.within(tolerance):
            raise ErpTotalsMismatch(reconciliation, tolerance)
        wanted = {
            tax_id: pos_taxes.get(tax_id, ("", Decimal(0)))[1]
            - figures.erp_taxes.get(tax_id, Decimal(0))
            for tax_id in figures.erp_taxes.keys() | pos_taxes.keys()
        }
        for tax_id, amount in sorted(wanted.items()):
            await self._set_tax_adjustment(invoice_id, tax_id, amount, figures)
        await self._set_net_adjustment(
            invoice_id, reconciliation.net_adjustment, figures.net_adjustment_lines, product
        )
        return reconciliation

    async def booked_figures(self, invoice_id: int) -> TaxReconciliation:
        """What Tryton computed for invoice ``invoice_id`` and what it carries after adjustment."""
        product = await self._adjustment()
        record = await self._rest.read("account.invoice", invoice_id, _FIGURE_FIELDS)
        return _InvoiceFigures.parse(record, product.id).booked

    async def _set_tax_adjustment(
        self, invoice_id: int, tax_id: int, amount: Decimal, figures: _InvoiceFigures
    ) -> None:
        existing = figures.tax_adjustment_lines.get(tax_id)
        if existing is not None:
            line_id, booked = existing
            if booked != amount:
                await self._rest.write("account.invoice.tax", line_id, {"amount": amount})
            return
        if not amount:
            return
        invoice_account, credit_note_account = await self._accounts_of_tax(tax_id)
        await self._rest.create(
            "account.invoice.tax",
            {
                "invoice": invoice_id,
                "tax": tax_id,
                "manual": True,
                "description": TAX_ADJUSTMENT_DESCRIPTION,
                "base": Decimal(0),
                "amount": amount,
                "account": invoice_account if amount > 0 else credit_note_account,
            },
        )

    async def _set_net_adjustment(
        self,
        invoice_id: int,
        amount: Decimal,
        existing: dict[int, Decimal],
        product: _AdjustmentProduct,
    ) -> None:
        if existing:
            line_id, booked = next(iter(existing.items()))
            if booked != amount:
                await self._rest.write("account.invoice.line", line_id, {"unit_price": amount})
            return
        if not amount:
            return
        await self._rest.create(
            "account.invoice.line",
            {
                "invoice": invoice_id,
                "type": "line",
                "product": product.id,
                "description": NET_ADJUSTMENT_DESCRIPTION,
                "quantity": 1.0,
                "unit": product.unit_id,
                "unit_price": amount,
                "account": product.account_id,
            },
        )

    async def _adjustment(self) -> _AdjustmentProduct:
        if self._adjustment_product is None:
            records = await self._rest.search(
                "product.product",
                [("code", "=", TAX_ADJUSTMENT_CODE)],
                ["default_uom", "account_category.account_revenue"],
            )
            if not records:
                raise ErpUnknownCodes("product", [TAX_ADJUSTMENT_CODE])
            self._adjustment_product = _AdjustmentProduct(
                id=records[0]["id"],
                unit_id=records[0]["default_uom"],
                account_id=records[0]["account_category"]["account_revenue"],
            )
        return self._adjustment_product

    async def _accounts_of_tax(self, tax_id: int) -> tuple[int, int]:
        if tax_id not in self._tax_accounts:
            tax = await self._rest.read(
                "account.tax", tax_id, ["invoice_account", "credit_note_account"]
            )
            self._tax_accounts[tax_id] = (tax["invoice_account"], tax["credit_note_account"])
        return self._tax_accounts[tax_id]
