"""``LineItem/Sale`` -> the lines of a transaction: signed quantity, unit, unit price, voids."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connectors.pos.errors import ConversionError
from connectors.pos.poslog.document import Node, parse_decimal
from domain.money import round_money
from domain.totals import implied_unit_price

_WEIGHT_UNITS = {"LBR": "lb", "LB": "lb", "KGM": "kg", "KG": "kg"}


@dataclass
class SaleLine:
    """A Sale line being built; discounts and taxes are added after all lines are read."""

    number: int
    operator_sequence: int | None
    sku: str
    barcode: str | None
    description: str | None
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    itemizers: frozenset[str]
    discounts: list[dict[str, Any]] = field(default_factory=list)
    taxes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def taxable_amount(self) -> Decimal:
        """ExtendedAmount less the line's discounts, signed like the quantity."""
        discounts = sum((Decimal(d["amount"]) for d in self.discounts), Decimal(0))
        return self.amount - discounts if self.quantity > 0 else self.amount + discounts

    def as_dict(self) -> dict[str, Any]:
        return {
            "line_number": self.number,
            "sku": self.sku,
            "barcode": self.barcode,
            "description": self.description,
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": self.unit_price,
            "taxes": self.taxes,
            "discounts": self.discounts,
        }


def read_sale_line(
    sequence: int, sale: Node, weighed: bool, currency: str, weight_unit: str
) -> SaleLine:
    for name in ("DiscountAmount", "ExtendedDiscountAmount"):
        text = sale.optional_text(name)
        if text is not None and parse_decimal(text, sale.where(name)):
            raise ConversionError(
                sale.where(name), "item discounts are not supported (only rewards)"
            )
    amount = sale.decimal("ExtendedAmount")
    written = sale.decimal("Quantity")
    quantity = written.copy_abs().copy_sign(amount or written)
    listed = sale.decimal("RegularSalesUnitPrice")
    if round_money(quantity * listed, currency) == amount:
        unit_price = listed
    else:
        try:
            unit_price = implied_unit_price(amount, quantity, currency)
        except ValueError as error:
            raise ConversionError(sale.where("ExtendedAmount"), str(error)) from None
    identity = sale.find("POSIdentity")
    gtin = identity is not None and identity.attribute("POSIDType") == "GTIN"
    itemizers = sale.find("acs:Itemizers")
    return SaleLine(
        number=sequence,
        operator_sequence=(
            sale.integer("acs:OperatorSequence")
            if sale.optional_text("acs:OperatorSequence")
            else None
        ),
        sku=sale.text("ItemID"),
        barcode=sale.optional_text("POSIdentity/POSItemID") if gtin else None,
        description=sale.optional_text("Description"),
        quantity=quantity,
        unit=_unit(sale, weight_unit) if weighed else "unit",
        unit_price=unit_price,
        amount=amount,
        itemizers=frozenset(
            name
            for name, value in (itemizers.element.attrib if itemizers is not None else {}).items()
            if value == "true"
        ),
    )


class KeptLines:
    """Sale lines in till order; a void drops the latest kept line it reverses (same item,
    opposite quantity and amount) in constant time, and is never kept itself."""

    def __init__(self) -> None:
        self._lines: list[SaleLine | None] = []
        self._positions: dict[tuple[str, Decimal, Decimal], list[int]] = defaultdict(list)

    def keep(self, line: SaleLine) -> None:
        self._positions[(line.sku, line.quantity, line.amount)].append(len(self._lines))
        self._lines.append(line)

    def void(self, void: SaleLine) -> None:
        reversed_line = self._positions.get((void.sku, -void.quantity, -void.amount))
        if reversed_line:
            self._lines[reversed_line.pop()] = None

    def lines(self) -> list[SaleLine]:
        return [line for line in self._lines if line is not None]


def _unit(sale: Node, weight_unit: str) -> str:
    quantity = sale.find("Quantity")
    code = quantity.attribute("UnitOfMeasureCode") if quantity is not None else None
    if code is None:
        return weight_unit
    if code.upper() not in _WEIGHT_UNITS:
        raise ConversionError(sale.where("Quantity/@UnitOfMeasureCode"), f"unknown unit {code!r}")
    return _WEIGHT_UNITS[code.upper()]
