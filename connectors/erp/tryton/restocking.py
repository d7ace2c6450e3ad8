"""Returned goods back into stock by their condition, and a receipt undone.

- **Restock by condition.** Resaleable goods come back into the warehouse's storage, available
  again. Damaged goods go to the warehouse's damaged-goods location (``<warehouse>-DMG``),
  which is not under storage, so never available: their draft move in the sale's return
  shipment is replaced by one in the ticket's damaged-goods return shipment, whose input and
  storage are the damaged-goods location (the move's origin stays the sale line).
- **Undoing a receipt** (the compensation of commit) cancels the done return shipments: Tryton
  takes the goods out of stock again and reverses their stock accounting.
"""

from connectors.erp.errors import ErpRejected, ErpUnknownCodes
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.returns import line_note
from connectors.erp.tryton.states import CANCELLED, DONE, DRAFT
from domain.erp_order import ErpOrder
from domain.transaction import ItemCondition

DAMAGED_LOCATION_SUFFIX = "-DMG"
MODEL = "stock.shipment.out.return"


class ReturnRestocking:
    def __init__(self, rest: TrytonRest) -> None:
        self._rest = rest
        self._damaged_locations: dict[str, int] = {}

    async def restock_damaged(self, order: ErpOrder, sale_id: int) -> bool:
        """Receive the damaged returned lines into the damaged-goods location; idempotent, and
        two calls at once end the same way. True when anything changed.

        Each damaged line's draft move in the sale's return shipment is replaced by one in the
        ticket's damaged-goods return shipment, whose input and storage are the damaged-goods
        location (the new move first, so that a retry never loses one; its origin stays the
        sale line). Where calls at once gave a line two, the first stays. A return shipment
        left empty is cancelled.
        """
        damaged_notes = {
            line_note(line)
            for line in order.product_lines
            if line.quantity < 0 and line.condition is ItemCondition.DAMAGED
        }
        if not damaged_notes:
            return False
        damaged_location = await self._damaged_location(order.warehouse_code)
        sale = await self._rest.read("sale.sale", sale_id, _DAMAGE_SALE_FIELDS)
        lines = [line for line in sale["lines"] if line["note"] in damaged_notes]
        missing = [line for line in lines if not _damaged_moves(line, damaged_location)]
        replaced = [
            move
            for line in lines
            for move in _live_moves(line)
            if move["to_location"] != damaged_location and move["state"] == DRAFT
        ]
        if not (missing or replaced):
            return False
        if missing:
            shipment_id = await self._damaged_shipment(sale, order.reference, damaged_location)
            new_moves = [
                _damaged_move(line["id"], _live_moves(line)[0], damaged_location)
                for line in missing
            ]
            await self._rest.write(MODEL, shipment_id, {"moves": [["create", new_moves]]})
            sale = await self._rest.read("sale.sale", sale_id, _DAMAGE_SALE_FIELDS)
            lines = [line for line in sale["lines"] if line["note"] in damaged_notes]
        doubles = [move for line in lines for move in _damaged_moves(line, damaged_location)[1:]]
        await self._delete_draft_moves(doubles + replaced)
        for left in {_shipment_id(move) for move in replaced}:
            shipment = await self._rest.read(MODEL, left, ["state", "moves"])
            if shipment["state"] == DRAFT and not shipment["moves"]:
                await self._rest.advance(MODEL, left, "cancel", DRAFT)
        return True

    async def _delete_draft_moves(self, moves: list[Record]) -> None:
        """Delete these draft moves from their shipments, leaving out those another call
        deleted meanwhile."""
        by_shipment: dict[int, list[int]] = {}
        for move in moves:
            by_shipment.setdefault(_shipment_id(move), []).append(move["id"])
        for shipment_id, move_ids in by_shipment.items():
            try:
                await self._rest.write(MODEL, shipment_id, {"moves": [["delete", move_ids]]})
            except ErpRejected:
                left = await self._rest.search("stock.move", [("id", "in", move_ids)], ["id"])
                if left:
                    ids = [move["id"] for move in left]
                    await self._rest.write(MODEL, shipment_id, {"moves": [["delete", ids]]})

    async def _damaged_shipment(self, sale: Record, reference: str, location: int) -> int:
        """The ticket's draft damaged-goods return shipment: the first one, created if there is
        none (one created by a call that then finds an earlier one is cancelled)."""
        domain = [
            ("reference", "=", reference),
            ("warehouse_input", "=", location),
            ("state", "=", DRAFT),
        ]
        found = await self._rest.search(MODEL, domain, ["id"], order=[("id", "ASC")], limit=1)
        if found:
            return int(found[0]["id"])
        created = await self._rest.create(
            MODEL,
            {
                "reference": reference,
                "customer": sale["party"],
                "contact_address": sale["shipment_address"],
                "warehouse": sale["warehouse"],
                "warehouse_input": location,
                "warehouse_storage": location,
            },
        )
        [first] = await self._rest.search(MODEL, domain, ["id"], order=[("id", "ASC")], limit=1)
        if first["id"] != created:
            await self._rest.advance(MODEL, created, "cancel", DRAFT)
        return int(first["id"])

    async def cancel_received(self, sale_id: int) -> None:
        """Undo receiving the sale's returns: cancel its done return shipments, which takes
        the goods out of stock again and reverses their stock accounting (the ERP user must
        be allowed to cancel done shipments: Tryton's Stock Cancellation group)."""
        sale = await self._rest.read("sale.sale", sale_id, ["shipment_returns.state"])
        for shipment in sale["shipment_returns"]:
            if shipment["state"] == DONE:
                await self._rest.click(MODEL, shipment["id"], "cancel")

    async def _damaged_location(self, warehouse_code: str) -> int:
        if warehouse_code not in self._damaged_locations:
            code = warehouse_code + DAMAGED_LOCATION_SUFFIX
            records = await self._rest.search(
                "stock.location", [("code", "=", code), ("type", "=", "storage")], ["id"]
            )
            if not records:
                raise ErpUnknownCodes("damaged-goods location", [code])
            self._damaged_locations[warehouse_code] = records[0]["id"]
        return self._damaged_locations[warehouse_code]


_MOVE_FIELDS = [
    "state",
    "product",
    "unit",
    "quantity",
    "from_location",
    "to_location",
    "unit_price",
    "currency",
    "invoice_lines",
    "shipment",
]
_DAMAGE_SALE_FIELDS = [
    "party",
    "shipment_address",
    "warehouse",
    "lines.note",
    *(f"lines.moves.{field}" for field in _MOVE_FIELDS),
]


def _live_moves(line: Record) -> list[Record]:
    return [move for move in line["moves"] if move["state"] != CANCELLED]


def _damaged_moves(line: Record, damaged_location: int) -> list[Record]:
    """The sale line's moves into the damaged-goods location, the first first."""
    moves = [move for move in _live_moves(line) if move["to_location"] == damaged_location]
    return sorted(moves, key=lambda move: int(move["id"]))


def _damaged_move(sale_line_id: int, template: Record, damaged_location: int) -> Record:
    """The sale line's returned goods, received into the damaged-goods location instead."""
    return {
        "product": template["product"],
        "unit": template["unit"],
        "quantity": template["quantity"],
        "from_location": template["from_location"],
        "to_location": damaged_location,
        "unit_price": template["unit_price"],
        "currency": template["currency"],
        "origin": f"sale.line,{sale_line_id}",
        "invoice_lines": [["add", template["invoice_lines"]]],
    }


def _shipment_id(move: Record) -> int:
    return int(str(move["shipment"]).split(",")[1])
