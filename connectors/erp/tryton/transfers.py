"""Transfers between stores as Tryton internal shipments through the transit location.

The dispatch creates the shipment (reference = the transfer's key) from the sending
warehouse's storage to the receiving one's; Tryton splits each move into an outgoing move
(storage -> transit) and an incoming one (transit -> storage) when the shipment waits. It is
assigned (forced when Tryton counts too little: the goods already left), packed and shipped:
the stock leaves the sending store and sits in transit.

The receipt sets each incoming move to what was counted, adds a move for an item that came
but was never dispatched, and does the shipment (Tryton's warning that the quantities differ
is skipped, as every request does). What was dispatched and did not arrive stays in the
transit location, named by the transfer_short exception: goods that are late or mislaid are
not lost yet. When they turn up a later count brings them in; when inventory writes them off,
an inventory of the transit location sends them to lost-and-found.
"""

from collections import defaultdict
from decimal import Decimal

from connectors.erp.errors import ErpRejected
from connectors.erp.tryton.codes import TrytonCodes
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.states import (
    ASSIGNED,
    CANCELLED,
    DONE,
    DRAFT,
    PACKED,
    REQUEST,
    SHIPPED,
    WAITING,
)
from domain.stock_moves import ErpStockRefs, ErpTransfer, ErpTransferReceipt, plain

MODEL = "stock.shipment.internal"
_UNDONE_DISPATCH = {REQUEST, DRAFT, WAITING, ASSIGNED, PACKED}


class TrytonTransfers:
    def __init__(self, rest: TrytonRest, codes: TrytonCodes) -> None:
        self._rest = rest
        self._codes = codes

    async def find(self, reference: str) -> ErpStockRefs | None:
        shipment = await self._shipment(reference)
        return await self._refs(reference, shipment) if shipment else None

    async def dispatch(self, transfer: ErpTransfer) -> ErpStockRefs:
        shipment = await self._shipment(transfer.reference)
        if shipment is None:
            shipment = await self._create(transfer)
        state = shipment["state"]
        if state == DRAFT:
            state = (await self._rest.click(MODEL, shipment["id"], "wait"))["state"]
        if state == WAITING:
            state = (await self._rest.click(MODEL, shipment["id"], "assign_try"))["state"]
        if state == WAITING:
            state = (await self._rest.click(MODEL, shipment["id"], "assign_force"))["state"]
        if state == ASSIGNED:
            state = (await self._rest.click(MODEL, shipment["id"], "pack"))["state"]
        if state == PACKED:
            state = (await self._rest.click(MODEL, shipment["id"], "ship"))["state"]
        if state not in (SHIPPED, DONE):
            raise ErpRejected(f"internal shipment {shipment['id']} is {state}, not shipped")
        return await self._refs(transfer.reference, {"id": shipment["id"], "state": state})

    async def cancel_dispatch(self, reference: str) -> None:
        """Undo a dispatch that was not received: cancelled before it shipped; once shipped
        (Tryton cancels no shipped shipment) done and cancelled, which cancels its moves."""
        shipment = await self._shipment(reference)
        if shipment is None:
            return
        if shipment["state"] == SHIPPED:
            await self._mirror_dispatch(shipment["id"])
            shipment["state"] = (await self._rest.click(MODEL, shipment["id"], "do"))["state"]
            await self._rest.click(MODEL, shipment["id"], "cancel")
        elif shipment["state"] in _UNDONE_DISPATCH:
            await self._rest.click(MODEL, shipment["id"], "cancel")

    async def receive(self, receipt: ErpTransferReceipt) -> ErpStockRefs:
        shipment = await self._shipment(receipt.reference)
        if shipment is None:
            raise ErpRejected(f"transfer {receipt.reference} was never dispatched")
        if shipment["state"] == SHIPPED:
            await self._count_in(shipment["id"], receipt)
            shipment["state"] = (await self._rest.click(MODEL, shipment["id"], "do"))["state"]
        if shipment["state"] != DONE:
            raise ErpRejected(f"transfer {receipt.reference} is {shipment['state']}, not shipped")
        return await self._refs(receipt.reference, shipment)

    async def _count_in(self, shipment_id: int, receipt: ErpTransferReceipt) -> None:
        """Each incoming move to what was counted of its product (the first move of a product
        takes its count, any other none); a product that was never dispatched gets its own."""
        counted: dict[str, Decimal] = defaultdict(Decimal)
        for line in receipt.lines:
            counted[line.product_code] += line.quantity
        moves = await self._moves(shipment_id)
        transit = await self._transit(shipment_id)
        incoming = [move for move in moves if move["from_location"] == transit]
        if not incoming:
            raise ErpRejected(f"internal shipment {shipment_id} has no moves in transit")
        writes: list[object] = []
        for move in incoming:
            quantity = counted.pop(move["product"]["code"], Decimal(0))
            if move["quantity"] != quantity:
                writes.append(["write", [move["id"]], {"quantity": quantity}])
        if counted:
            products = await self._codes.products(list(counted))
            template = incoming[0]
            writes.append(
                [
                    "create",
                    [
                        {
                            "product": products[code].id,
                            "unit": products[code].unit_id,
                            "quantity": quantity,
                            "from_location": transit,
                            "to_location": template["to_location"],
                        }
                        for code, quantity in counted.items()
                    ],
                ]
            )
        if writes:
            await self._rest.write(MODEL, shipment_id, {"moves": writes})

    async def _mirror_dispatch(self, shipment_id: int) -> None:
        """Before undoing a shipped dispatch: the incoming moves as dispatched."""
        moves = await self._moves(shipment_id)
        transit = await self._transit(shipment_id)
        sent: dict[str, Decimal] = defaultdict(Decimal)
        for move in moves:
            if move["to_location"] == transit:
                sent[move["product"]["code"]] += Decimal(str(move["quantity"]))
        writes = [
            ["write", [move["id"]], {"quantity": sent.pop(move["product"]["code"], Decimal(0))}]
            for move in moves
            if move["from_location"] == transit
        ]
        await self._rest.write(MODEL, shipment_id, {"moves": writes})

    async def _create(self, transfer: ErpTransfer) -> Record:
        source, target = (
            await self._codes.warehouse(transfer.from_warehouse),
            await self._codes.warehouse(transfer.to_warehouse),
        )
        products = await self._codes.products([line.product_code for line in transfer.lines])
        shipment_id = await self._rest.create(
            MODEL,
            {
                "reference": transfer.reference,
                "from_location": source.storage_id,
                "to_location": target.storage_id,
                "planned_date": transfer.dispatched_on,
                "planned_start_date": transfer.dispatched_on,
                "moves": [
                    [
                        "create",
                        [
                            {
                                "product": products[line.product_code].id,
                                "unit": products[line.product_code].unit_id,
                                "quantity": line.quantity,
                                "from_location": source.storage_id,
                                "to_location": target.storage_id,
                            }
                            for line in transfer.lines
                        ],
                    ]
                ],
            },
        )
        return {"id": shipment_id, "state": DRAFT}

    async def _shipment(self, reference: str) -> Record | None:
        found = await self._rest.search(
            MODEL, [("reference", "=", reference), ("state", "!=", CANCELLED)], ["state"]
        )
        return found[0] if found else None

    async def _transit(self, shipment_id: int) -> int | None:
        record = await self._rest.read(MODEL, shipment_id, ["internal_transit_location"])
        transit: int | None = record["internal_transit_location"]
        return transit

    async def _moves(self, shipment_id: int) -> list[Record]:
        return await self._rest.search(
            "stock.move",
            [("shipment", "=", f"{MODEL},{shipment_id}"), ("state", "!=", CANCELLED)],
            ["product.code", "quantity", "from_location", "to_location", "state"],
        )

    async def _refs(self, reference: str, shipment: Record) -> ErpStockRefs:
        moves = await self._moves(shipment["id"])
        transit = await self._transit(shipment["id"])
        dispatched: dict[str, Decimal] = defaultdict(Decimal)
        received: dict[str, Decimal] = defaultdict(Decimal)
        for move in moves:
            quantity = Decimal(str(move["quantity"]))
            if move["to_location"] == transit:
                dispatched[move["product"]["code"]] += quantity
            elif move["from_location"] == transit and move["state"] == DONE:
                received[move["product"]["code"]] += quantity
        return ErpStockRefs(
            reference=reference,
            shipment_id=str(shipment["id"]),
            state=shipment["state"],
            dispatched={code: plain(quantity) for code, quantity in dispatched.items()},
            received={code: plain(quantity) for code, quantity in received.items()},
        )
