"""Stock in Tryton: a sale's customer shipments reserved and issued, what they issued taken
back by customer returns, and a product's quantity on hand and available in a warehouse.
"""

import asyncio
from collections.abc import Sequence
from decimal import Decimal

from connectors.erp.errors import ErpRejected
from connectors.erp.tryton.codes import TrytonCodes
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.states import ASSIGNED, CANCELLED, DONE, DRAFT, PACKED, RECEIVED, WAITING
from domain.erp_order import StockLevel


class TrytonShipments:
    def __init__(self, rest: TrytonRest, codes: TrytonCodes) -> None:
        self._rest = rest
        self._codes = codes

    async def assign(self, shipment_id: int, state: str) -> bool:
        """Reserve the shipment's stock. The till already sold the goods, so when the ERP
        counts too few, the reservation is forced (stock goes negative) rather than refused;
        returns True then, so the shortfall can be recorded for store ops."""
        model = "stock.shipment.out"
        if state == DRAFT:
            state = await self._rest.advance(model, shipment_id, "wait", DRAFT)
        if state == WAITING:
            state = await self._rest.advance(model, shipment_id, "assign_try", WAITING)
        if state == WAITING:
            await self._rest.advance(model, shipment_id, "assign_force", WAITING)
            return True
        return False

    async def issue(self, reference: str, shipment_id: int, state: str) -> None:
        """``pack`` and ``do`` a reserved shipment of the sale booked under ``reference``."""
        model = "stock.shipment.out"
        if state == ASSIGNED:
            state = await self._rest.advance(model, shipment_id, "pack", ASSIGNED)
        if state == PACKED:
            state = await self._rest.advance(model, shipment_id, "do", PACKED)
        if state != DONE:
            raise ErpRejected(f"shipment {shipment_id} of {reference} is {state}, not reserved")

    async def receive_return(self, shipment_id: int, state: str) -> None:
        """Receive a customer return (done at once when input and storage are one location)."""
        model = "stock.shipment.out.return"
        if state == DRAFT:
            state = await self._rest.advance(model, shipment_id, "receive", DRAFT)
        if state == RECEIVED:
            await self._rest.advance(model, shipment_id, "do", RECEIVED)

    async def return_issued(self, reference: str, issued_ids: list[int]) -> None:
        """Take back what shipments ``issued_ids`` issued: the customer returns booked under
        ``reference`` (created when there are none yet), received."""
        returns = await self._rest.search(
            "stock.shipment.out.return",
            [("reference", "=", reference), ("state", "!=", CANCELLED)],
            ["state"],
        )
        if not returns:
            returns = [
                await self._create_return(reference, shipment_id) for shipment_id in issued_ids
            ]
        for shipment in returns:
            await self.receive_return(shipment["id"], shipment["state"])

    async def stock_level(self, product_code: str, warehouse_code: str) -> StockLevel:
        warehouse, products = await asyncio.gather(
            self._codes.warehouse(warehouse_code), self._codes.products([product_code])
        )
        product = products[product_code]
        on_hand, available = await asyncio.gather(
            self._quantity(product.id, warehouse.storage_id, count_assigned_as_gone=False),
            self._quantity(product.id, warehouse.storage_id, count_assigned_as_gone=True),
        )
        return StockLevel(
            product_code=product_code,
            warehouse_code=warehouse_code,
            on_hand=on_hand,
            available=available,
        )

    async def stock_levels(
        self, product_codes: Sequence[str], warehouse_code: str
    ) -> list[StockLevel]:
        """``stock_level`` of many products in two searches; codes Tryton lacks are left out."""
        warehouse = await self._codes.warehouse(warehouse_code)
        codes = sorted(set(product_codes))

        async def quantities(count_assigned_as_gone: bool) -> dict[str, Decimal]:
            records = await self._rest.search(
                "product.product",
                [("code", "in", codes)],
                ["code", "quantity"],
                context={
                    "locations": [warehouse.storage_id],
                    "stock_assign": count_assigned_as_gone,
                },
            )
            return {record["code"]: Decimal(str(record["quantity"])) for record in records}

        on_hand, available = await asyncio.gather(quantities(False), quantities(True))
        return [
            StockLevel(
                product_code=code,
                warehouse_code=warehouse_code,
                on_hand=on_hand[code],
                available=available[code],
            )
            for code in codes
            if code in on_hand and code in available
        ]

    async def _create_return(self, reference: str, shipment_id: int) -> Record:
        """A customer return of everything ``shipment_id`` issued, into the same warehouse."""
        shipment = await self._rest.read(
            "stock.shipment.out",
            shipment_id,
            [
                "customer",
                "delivery_address",
                "warehouse",
                "warehouse.input_location",
                "warehouse.storage_location",
                "outgoing_moves.state",
                "outgoing_moves.product",
                "outgoing_moves.quantity",
                "outgoing_moves.unit",
                "outgoing_moves.to_location",
                "outgoing_moves.unit_price",
                "outgoing_moves.currency",
            ],
        )
        warehouse = shipment["warehouse"]
        moves = [
            {
                "product": move["product"],
                "quantity": move["quantity"],
                "unit": move["unit"],
                "from_location": move["to_location"],
                "to_location": warehouse["input_location"],
                "unit_price": move["unit_price"],
                "currency": move["currency"],
            }
            for move in shipment["outgoing_moves"]
            if move["state"] == DONE
        ]
        return_id = await self._rest.create(
            "stock.shipment.out.return",
            {
                "reference": reference,
                "customer": shipment["customer"],
                "contact_address": shipment["delivery_address"],
                "warehouse": warehouse["id"],
                "warehouse_input": warehouse["input_location"],
                "warehouse_storage": warehouse["storage_location"],
                "incoming_moves": [["create", moves]],
            },
        )
        return {"id": return_id, "state": DRAFT}

    async def _quantity(
        self, product_id: int, location_id: int, *, count_assigned_as_gone: bool
    ) -> Decimal:
        """Tryton's product ``quantity`` in a location: done moves up to today, and with
        ``stock_assign`` the assigned outgoing moves counted as already gone."""
        record = await self._rest.read(
            "product.product",
            product_id,
            ["quantity"],
            context={"locations": [location_id], "stock_assign": count_assigned_as_gone},
        )
        return Decimal(str(record["quantity"]))
