"""Which POS line each move of a ticket shipment books (ticket_shipments.py).

Tryton's stock moves have no field for it, so the shipment carries a note, ``POS lines: 1, 2,
5``, naming the POS line of each of its moves in the order they were created (by id). A later
return finds the line it takes back through it. Tryton may have split a line's move when it
reserved part of it from stock (the rest forced): the line's own moves are the shipment's
first, created with it, and each part split off later belongs to the line whose move its
origin names (Tryton copies the origin, which is the move itself), or, on a shipment whose
moves were never named (an attempt that died before naming them), to the one line of its
product.
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
        lines = moves_by_line(moves, len(numbers))
        if line_number not in numbers or lines is None:
            return None
        line = lines[numbers.index(line_number)]
        live = [move for move in line if move["state"] != CANCELLED]
        return ShippedLine(
            product_code=line[0]["product."]["code"],
            quantity=sum(move["quantity"] for move in live or line),
            move_ids=[move["id"] for move in live],
        )


def moves_by_line(moves: list[Record], line_count: int) -> list[list[Record]] | None:
    """The shipment's customer moves (by id) grouped by the line each books, in the lines'
    order; None when they cannot be told apart."""
    if len(moves) < line_count:
        return None
    own, split_off = moves[:line_count], moves[line_count:]
    lines: dict[int, list[Record]] = {move["id"]: [move] for move in own}
    for part in split_off:
        line = _line_split(part, own)
        if line is None:
            return None
        lines[line].append(part)
    return [lines[move["id"]] for move in own]


def _line_split(part: Record, own: list[Record]) -> int | None:
    """The id of the line's own move that ``part`` was split off."""
    model, _, origin_id = str(part["origin"] or "").partition(",")
    if model == "stock.move" and origin_id.isdigit() and int(origin_id) in {m["id"] for m in own}:
        return int(origin_id)
    product = part["product."]["code"]
    same = [move["id"] for move in own if move["product."]["code"] == product]
    return same[0] if len(same) == 1 else None
