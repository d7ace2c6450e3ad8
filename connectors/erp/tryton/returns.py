"""Returned lines in Tryton: against their original sale, at its cost, restocked by condition.

A POS return (or the returned part of an exchange) is a Tryton sale with negative lines: Tryton
creates a customer return shipment and a credit note for it. On top of that:

- **Line identity.** Every product line carries the note ``POS line <n>`` (a returned line:
  ``POS line <n>, returning line <m> of <original reference>``); it is how a later return finds
  the line it returns. Tryton copies the note onto the invoice line.
- **The original.** The return sale's ``origin`` is the original sale (when its returned lines
  come from one original), as Tryton's own *Return Sale* wizard sets it. Each credit note line
  is linked to the original line's stock moves, as Tryton's own *Credit* wizard does
  (``account.invoice.line.stock_moves``): anglo-saxon accounting then books the COGS reversal
  at those moves' cost, the unit cost of the original sale, not the product's current cost.
  Tryton records on each original move how much of it was credited (``in_anglo_saxon_quantity``).
- **Returnable quantity.** What the original line sold, less what the credit note lines linked
  to its moves return (cancelled credit notes excluded): a second return gets the remainder.
- **Restock by condition** and **undoing a receipt**: restocking.py.

An unreferenced return has no original moves to link: Tryton books it at the product's
current cost (the documented policy).
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connectors.erp.errors import ErpReturnRefused
from connectors.erp.tryton.rest import TrytonRest
from connectors.erp.tryton.shipment_lines import ShippedLine
from connectors.erp.tryton.states import CANCELLED
from domain.erp_order import ErpOrder, ErpProductLine
from domain.returns import ReturnableQuantity


def line_note(line: ErpProductLine) -> str:
    """The note that identifies a product line on its sale (and invoice)."""
    note = f"POS line {line.pos_line_number}"
    if line.return_of_reference and line.return_of_line_number:
        note += f", returning line {line.return_of_line_number} of {line.return_of_reference}"
    return note


def _original_note(line_number: int) -> str:
    return f"POS line {line_number}"


def _returned_lines(order: ErpOrder) -> list[ErpProductLine]:
    return [
        line
        for line in order.product_lines
        if line.quantity < 0 and line.return_of_reference and line.return_of_line_number
    ]


@dataclass(frozen=True)
class _OriginalLine:
    sale_id: int | None
    """None: a ticket booked as a shipment alone (daily mode)."""
    product_code: str
    quantity: Decimal
    move_ids: list[int]


class Returns:
    """The return side of Tryton sales (see the module docstring)."""

    def __init__(self, rest: TrytonRest) -> None:
        self._rest = rest
        self.shipped_line: Callable[[str, int], Awaitable[ShippedLine | None]] | None = None
        """Daily mode: what a ticket booked as a shipment alone issued, line by line."""

    async def returnable(
        self, original_reference: str, line_number: int, *, excluding: str | None = None
    ) -> ReturnableQuantity:
        """What line ``line_number`` of ``original_reference`` sold and what was returned so
        far, not counting the return booked under ``excluding``."""
        original = await self._original_line(original_reference, line_number)
        return await self._returnable(original_reference, line_number, original, excluding)

    async def check_returnable(self, order: ErpOrder) -> int | None:
        """Refuse (ErpReturnRefused) returned lines their original does not allow; the id of
        the original sale when every returned line comes from the same one."""
        asked: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        products: dict[tuple[str, int], str] = {}
        for line in _returned_lines(order):
            key = (str(line.return_of_reference), int(line.return_of_line_number or 0))
            asked[key] -= line.quantity
            products[key] = line.product_code
        sales: set[int | None] = set()
        for (reference, number), quantity in asked.items():
            original = await self._original_line(reference, number)
            available = await self._returnable(reference, number, original, order.reference)
            if available.product_code != products[(reference, number)]:
                raise ErpReturnRefused(
                    reference,
                    number,
                    f"it sold {available.product_code}, not {products[(reference, number)]}",
                )
            if quantity > available.remaining:
                raise ErpReturnRefused(
                    reference,
                    number,
                    f"{_plain(quantity)} asked back but only {_plain(available.remaining)}"
                    f" of the {_plain(available.sold)} sold remain returnable",
                )
            sales.add(original.sale_id)
        return sales.pop() if len(sales) == 1 else None

    async def link_to_originals(self, order: ErpOrder, invoice_id: int) -> None:
        """Link each returned line's credit note line to its original's stock moves."""
        returned = _returned_lines(order)
        if not returned:
            return
        invoice = await self._rest.read(
            "account.invoice", invoice_id, ["lines.note", "lines.stock_moves"]
        )
        invoice_lines = {line["note"]: line for line in invoice["lines"] if line["note"]}
        writes: list[Any] = []
        for line in returned:
            invoice_line = invoice_lines.get(line_note(line))
            if invoice_line is None:
                continue
            original = await self._original_line(
                str(line.return_of_reference), int(line.return_of_line_number or 0)
            )
            missing = sorted(set(original.move_ids) - set(invoice_line["stock_moves"]))
            if missing:
                writes += [[invoice_line["id"]], {"stock_moves": [["add", missing]]}]
        if writes:
            await self._rest.write("account.invoice", invoice_id, {"lines": [["write", *writes]]})

    async def _returnable(
        self,
        reference: str,
        line_number: int,
        original: _OriginalLine,
        excluding: str | None,
    ) -> ReturnableQuantity:
        """The original line against the credit note lines linked to its stock moves."""
        domain: list[Any] = [
            ("stock_moves", "in", original.move_ids),
            ("quantity", "<", 0),
            ("invoice.state", "!=", CANCELLED),
        ]
        if excluding is not None:
            domain.append(("origin.sale.reference", "!=", excluding, "sale.line"))
        credited = await self._rest.search("account.invoice.line", domain, ["quantity"])
        return ReturnableQuantity(
            original_reference=reference,
            original_line_number=line_number,
            product_code=original.product_code,
            sold=original.quantity,
            returned=sum((-Decimal(str(line["quantity"])) for line in credited), Decimal(0)),
        )

    async def _original_line(self, reference: str, line_number: int) -> _OriginalLine:
        records = await self._rest.search(
            "sale.line",
            [("sale.reference", "=", reference), ("note", "=", _original_note(line_number))],
            ["sale", "quantity", "product.code", "moves.state"],
        )
        if not records:
            shipped = await self.shipped_line(reference, line_number) if self.shipped_line else None
            if shipped is None:
                raise ErpReturnRefused(
                    reference, line_number, "no sale line with that number is booked under it"
                )
            return _OriginalLine(
                sale_id=None,
                product_code=shipped.product_code,
                quantity=Decimal(str(shipped.quantity)),
                move_ids=shipped.move_ids,
            )
        record = records[0]
        quantity = Decimal(str(record["quantity"]))
        if quantity <= 0:
            raise ErpReturnRefused(reference, line_number, "that line returned goods, not sold")
        return _OriginalLine(
            sale_id=record["sale"],
            product_code=record["product"]["code"],
            quantity=quantity,
            move_ids=[move["id"] for move in record["moves"] if move["state"] != CANCELLED],
        )


def _plain(quantity: Decimal) -> str:
    """3 rather than 3.0 (Tryton's quantities are floats), 0.345 as it is."""
    return format(quantity.normalize(), "f")
