"""Returned goods back into stock by their condition, and a receipt undone.

- **Restock by condition.** Resaleable goods come back into the warehouse's storage, available
  again. Damaged goods go to the warehouse's damaged-goods location (``<warehouse>-DMG``),
  which is not under storage, so never available: their draft move in the sale's return
  shipment is replaced by one in a second return shipment whose input and storage are the
  damaged-goods location (the move's origin stays the sale line).
- **Undoing a receipt** (the compensation of commit) cancels the done return shipments: Tryton
  takes the goods out of stock again and reverses their stock accounting.
"""

from collections import defaultdict

from connectors.erp.errors import ErpUnknownCodes
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.returns import line_note
from connectors.erp.tryton.states import CANCELLED, DONE, DRAFT
from domain.erp_order import ErpOrder
from domain.transaction import ItemCondition

DAMAGED_LOCATION_SUFFIX = "-DMG"


class ReturnRestocking:
    def __init__(self, rest: TrytonRest) -> None:
        self._rest = rest
        self._damaged_locations: dict[str, int] = {}

    async def restock_damaged(self, order: ErpOrder, sale_id: int) -> bool:
        """Receive the damaged returned lines into the damaged-goods location; idempotent.

        Each damaged line's draft move in the sale's return shipment is replaced by a move in
        a return shipment of its own whose input and storage are the damaged-goods location
        (the new moves first, so that a retry never loses one). True when anything changed.
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
        new_moves: list[Record] = []
        replaced: dict[int, list[int]] = defaultdict(list)
        for line in sale["lines"]:
            if line["note"] not in damaged_notes:
                continue
            moves = [move for move in line["moves"] if move["state"] != CANCELLED]
            if not any(move["to_location"] == damaged_location for move in moves):
                new_moves.append(_damaged_move(line["id"], moves[0], damaged_location))
            for move in moves:
                if move["to_location"] != damaged_location and move["state"] == DRAFT:
                    replaced[_shipment_id(move)].append(move["id"])
        if new_moves:
            await self._rest.create(
                "stock.shipment.out.return",
                {
                    "customer": sale["party"],
                    "contact_address": sale["shipment_address"],
                    "warehouse": sale["warehouse"],
                    "warehouse_input": damaged_location,
                    "warehouse_storage": damaged_location,
                    "incoming_moves": [["create", new_moves]],
                },
            )
        for shipment_id, move_ids in replaced.items():
            await self._rest.write(
                "stock.shipment.out.return", shipment_id, {"moves": [["delete", move_ids]]}
            )
            if len(move_ids) == _shipment_moves(sale, shipment_id):
                await self._rest.click("stock.shipment.out.return", shipment_id, "cancel")
        return bool(new_moves or replaced)

    async def cancel_received(self, sale_id: int) -> None:
        """Undo receiving the sale's returns: cancel its done return shipments, which takes
        the goods out of stock again and reverses their stock accounting (the ERP user must
        be allowed to cancel done shipments: Tryton's Stock Cancellation group)."""
        sale = await self._rest.read("sale.sale", sale_id, ["shipment_returns.state"])
        for shipment in sale["shipment_returns"]:
            if shipment["state"] == DONE:
                await self._rest.click("stock.shipment.out.return", shipment["id"], "cancel")

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


def _shipment_moves(sale: Record, shipment_id: int) -> int:
    """How many of the sale's moves are in return shipment ``shipment_id``."""
    shipment = f"stock.shipment.out.return,{shipment_id}"
    return sum(
        1 for line in sale["lines"] for move in line["moves"] if move["shipment"] == shipment
    )
