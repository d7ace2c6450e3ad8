"""Supplier deliveries as Tryton supplier shipments (stock.shipment.in) against purchases.

A purchase being processed holds a draft stock move per line (supplier -> the warehouse's
input). A receipt creates, in one request, the shipment (reference = the receipt's key) with
each counted line's move added at the counted quantity, a move of its own for an item not on
the order (at the product's cost price), then receives and does it. A line delivered short
keeps the rest on order: Tryton's purchase processing creates the back-order move for it.
"""

from collections import defaultdict
from decimal import Decimal

from connectors.erp.errors import ErpRejected, ErpUnknownCodes, UnknownCode
from connectors.erp.tryton.codes import TrytonCodes
from connectors.erp.tryton.rest import Record, TrytonRest
from connectors.erp.tryton.states import (
    CANCELLED,
    CONFIRMED,
    DONE,
    DRAFT,
    PROCESSING,
    RECEIVED,
    STAGING,
)
from domain.stock_moves import (
    ErpPurchaseLine,
    ErpPurchaseOrder,
    ErpPurchaseReceipt,
    ErpStockRefs,
    plain,
)

MODEL = "stock.shipment.in"
_OPEN_PURCHASE = [CONFIRMED, PROCESSING]
_UNSHIPPED = [DRAFT, STAGING]


class TrytonPurchaseReceipts:
    def __init__(self, rest: TrytonRest, codes: TrytonCodes) -> None:
        self._rest = rest
        self._codes = codes

    async def purchase_order(self, number: str, warehouse_code: str) -> ErpPurchaseOrder:
        purchase = await self._purchase(number, warehouse_code)
        lines = await self._rest.search(
            "purchase.line",
            [("purchase", "=", purchase["id"]), ("type", "=", "line")],
            ["product.code", "quantity"],
            order=[("sequence", "ASC"), ("id", "ASC")],
        )
        done = await self._received_by_line([line["id"] for line in lines])
        return ErpPurchaseOrder(
            number=number,
            warehouse_code=warehouse_code,
            lines=[
                ErpPurchaseLine(
                    line_id=str(line["id"]),
                    product_code=line["product"]["code"],
                    ordered=plain(Decimal(str(line["quantity"]))),
                    outstanding=plain(
                        max(Decimal(0), Decimal(str(line["quantity"])) - done[line["id"]])
                    ),
                )
                for line in lines
            ],
        )

    async def receive(self, receipt: ErpPurchaseReceipt) -> ErpStockRefs:
        shipment = await self._shipment(receipt.reference)
        if shipment is None:
            shipment = await self._create(receipt)
        state = shipment["state"]
        if state == DRAFT:
            state = (await self._rest.click(MODEL, shipment["id"], "receive"))["state"]
        if state == RECEIVED:
            state = (await self._rest.click(MODEL, shipment["id"], "do"))["state"]
        if state != DONE:
            raise ErpRejected(f"supplier shipment {shipment['id']} is {state}, not done")
        return await self._refs(receipt.reference, shipment["id"], state)

    async def cancel_if_present(self, reference: str) -> None:
        """A draft shipment given up: the purchase's moves back on order, the rest cancelled."""
        shipment = await self._shipment(reference)
        if shipment is None or shipment["state"] != DRAFT:
            return
        moves = await self._moves(shipment["id"])
        ordered = [move["id"] for move in moves if move["origin"]]
        if ordered:
            await self._rest.write(MODEL, shipment["id"], {"incoming_moves": [["remove", ordered]]})
        await self._rest.click(MODEL, shipment["id"], "cancel")

    async def _create(self, receipt: ErpPurchaseReceipt) -> Record:
        purchase = await self._purchase(receipt.purchase_order, receipt.warehouse_code)
        warehouse = await self._codes.warehouse(receipt.warehouse_code)
        line_ids = [int(line.purchase_line_id) for line in receipt.lines if line.purchase_line_id]
        open_moves = await self._rest.search(
            "stock.move",
            [
                ("origin", "in", [f"purchase.line,{line_id}" for line_id in line_ids]),
                ("state", "in", _UNSHIPPED),
                ("shipment", "=", None),
            ],
            ["origin", "from_location", "to_location"],
            order=[("id", "ASC")],
        )
        move_of: dict[int, Record] = {}
        for move in open_moves:
            move_of.setdefault(int(str(move["origin"]).split(",")[1]), move)
        missing = [line_id for line_id in line_ids if line_id not in move_of]
        if missing:
            raise ErpRejected(
                f"purchase {receipt.purchase_order} has no open move for lines {missing}"
            )
        supplier_location = (
            open_moves[0]["from_location"] if open_moves else await self._supplier_location()
        )
        unordered = [line for line in receipt.lines if line.purchase_line_id is None]
        products = await self._codes.products([line.product_code for line in unordered])
        costs = {code: await self._cost(product.id) for code, product in products.items()}
        locations = await self._rest.read(
            "stock.location", warehouse.id, ["input_location", "storage_location"]
        )
        moves: list[object] = [["add", [move["id"] for move in move_of.values()]]]
        moves += [
            ["write", [move_of[int(line.purchase_line_id)]["id"]], {"quantity": line.quantity}]
            for line in receipt.lines
            if line.purchase_line_id
        ]
        if unordered:
            moves.append(
                [
                    "create",
                    [
                        {
                            "product": products[line.product_code].id,
                            "unit": products[line.product_code].unit_id,
                            "quantity": line.quantity,
                            "from_location": supplier_location,
                            "to_location": locations["input_location"],
                            "unit_price": costs[line.product_code],
                            "currency": purchase["currency"],
                        }
                        for line in unordered
                    ],
                ]
            )
        shipment_id = await self._rest.create(
            MODEL,
            {
                "reference": receipt.reference,
                "supplier": purchase["party"],
                "warehouse": warehouse.id,
                "warehouse_input": locations["input_location"],
                "warehouse_storage": locations["storage_location"],
                "effective_date": receipt.received_on,
                "incoming_moves": moves,
            },
        )
        return {"id": shipment_id, "state": DRAFT}

    async def _purchase(self, number: str, warehouse_code: str) -> Record:
        warehouse = await self._codes.warehouse(warehouse_code)
        found = await self._rest.search(
            "purchase.purchase",
            [
                ("number", "=", number),
                ("warehouse", "=", warehouse.id),
                ("state", "in", _OPEN_PURCHASE),
            ],
            ["party", "currency"],
        )
        if not found:
            raise ErpUnknownCodes(UnknownCode.PURCHASE_ORDER, [number])
        return found[0]

    async def _received_by_line(self, line_ids: list[int]) -> dict[int, Decimal]:
        moves = await self._rest.search(
            "stock.move",
            [
                ("origin", "in", [f"purchase.line,{line_id}" for line_id in line_ids]),
                ("state", "=", DONE),
            ],
            ["origin", "quantity"],
        )
        done: dict[int, Decimal] = defaultdict(Decimal)
        for move in moves:
            done[int(str(move["origin"]).split(",")[1])] += Decimal(str(move["quantity"]))
        return done

    async def _supplier_location(self) -> int:
        found = await self._rest.search("stock.location", [("type", "=", "supplier")], ["id"])
        if not found:
            raise ErpUnknownCodes("supplier location", ["supplier"])
        location: int = found[0]["id"]
        return location

    async def _cost(self, product_id: int) -> Decimal:
        record = await self._rest.read("product.product", product_id, ["cost_price"])
        return Decimal(str(record["cost_price"] or 0))

    async def _shipment(self, reference: str) -> Record | None:
        found = await self._rest.search(
            MODEL, [("reference", "=", reference), ("state", "!=", CANCELLED)], ["state"]
        )
        return found[0] if found else None

    async def _moves(self, shipment_id: int) -> list[Record]:
        return await self._rest.search(
            "stock.move",
            [("shipment", "=", f"{MODEL},{shipment_id}"), ("state", "!=", CANCELLED)],
            ["product.code", "quantity", "origin", "from_location", "to_location"],
        )

    async def _refs(self, reference: str, shipment_id: int, state: str) -> ErpStockRefs:
        warehouse_input = await self._rest.read(MODEL, shipment_id, ["warehouse_input"])
        received: dict[str, Decimal] = defaultdict(Decimal)
        for move in await self._moves(shipment_id):
            if move["to_location"] == warehouse_input["warehouse_input"]:
                received[move["product"]["code"]] += Decimal(str(move["quantity"]))
        return ErpStockRefs(
            reference=reference,
            shipment_id=str(shipment_id),
            state=state,
            received={code: plain(quantity) for code, quantity in received.items()},
        )
