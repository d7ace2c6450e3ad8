"""Which POS line each move of a ticket shipment books (ticket_shipments.py).

Tryton's stock moves have no field for it, so the shipment carries a note, ``POS lines: 1, 2,
5``, naming the POS line of each of its moves in the order they were created (by id). A later
return finds the line it takes back through it. Tryton may have split a line's move when it
reserved part of it from stock (the rest forced): the part split off names the line's move as
its origin, so a line is its move and the parts split off it.
"""

import asyncio
from dataclasses import dataclass

from connectors.erp.tryton.rest import Record
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton.states import CANCELLED
from domain.erp_order import ErpProductLine

SHIPMENT = "stock.shipment.out"
_PREFIX = "POS lines: "
_MOVE_FIELDS = ["id", "product.code", "quantity", "state", "origin"]


@dataclass(frozen=True)
class ShippedLine:
    product_code: str
    quantity: float
    move_ids: list[int]


def lines_note(lines: list[ErpProductLine]) -> str:
    return _PREFIX + ", ".join(str(line.pos_line_number) for line in lines)


def _line_numbers(note: str) -> list[int]:
    if not note.startswith(_PREFIX):
        return []
    return [int(number) for number in note.removeprefix(_PREFIX).split(", ") if number]


class ShipmentLines:
    def __init__(self, rpc: TrytonRpc) -> None:
        self._rpc = rpc

    async def write(self, notes: dict[int, str]) -> None:
        """Note each shipment's lines (by shipment id), all in one call."""
        if notes:
            await self._rpc.call(
                "ir.note",
                "create",
                [{"resource": f"{SHIPMENT},{id_}", "message": text} for id_, text in notes.items()],
            )

    async def unnoted(self, shipment_ids: list[int]) -> list[int]:
        """Those of the shipments that have no note (a crash right after their creation)."""
        if not shipment_ids:
            return []
        resources = [f"{SHIPMENT},{id_}" for id_ in shipment_ids]
        noted = await self._rpc.call(
            "ir.note", "search_read", [("resource", "in", resources)], 0, None, None, ["resource"]
        )
        have = {int(str(note["resource"]).split(",")[1]) for note in noted}
        return [id_ for id_ in shipment_ids if id_ not in have]

    async def shipped_line(self, shipment_id: int, line_number: int) -> ShippedLine | None:
        """What POS line ``line_number`` issued in the shipment, if it names that line."""
        shipment = f"{SHIPMENT},{shipment_id}"
        moves, notes = await asyncio.gather(
            self._rpc.call(
                "stock.move",
                "search_read",
                [("shipment", "=", shipment), ("to_location.type", "=", "customer")],
                0,
                None,
                [("id", "ASC")],
                _MOVE_FIELDS,
            ),
            self._rpc.call(
                "ir.note", "search_read", [("resource", "=", shipment)], 0, 1, None, ["message"]
            ),
        )
        numbers = _line_numbers(notes[0]["message"]) if notes else []
        lines = _moves_by_line(moves)
        if line_number not in numbers or len(numbers) != len(lines):
            return None
        line = lines[numbers.index(line_number)]
        live = [move for move in line if move["state"] != CANCELLED]
        return ShippedLine(
            product_code=line[0]["product."]["code"],
            quantity=sum(move["quantity"] for move in live or line),
            move_ids=[move["id"] for move in live],
        )


def _moves_by_line(moves: list[Record]) -> list[list[Record]]:
    """The shipment's moves (by id) grouped by the line each books: a move split off another
    names it as its origin (Tryton copies the origin, which is the move itself)."""
    ids = {move["id"] for move in moves}
    lines: dict[int, list[Record]] = {}
    for move in moves:
        model, _, origin_id = str(move["origin"] or "").partition(",")
        first = int(origin_id) if model == "stock.move" and origin_id.isdigit() else move["id"]
        lines.setdefault(first if first in ids else move["id"], []).append(move)
    return [lines[first] for first in sorted(lines)]
