"""A ticket's customer shipment created (ticket_shipments.py): its values planned from the
order, a batch created in one call, each with its line note (shipment_lines.py); its moves are
named their own origin once the batch is read back (name_origins)."""

import asyncio
from typing import Any

from connectors.erp.errors import ErpRejected
from connectors.erp.tryton.codes import TrytonCodes
from connectors.erp.tryton.documents import CASH_SALE_CODE
from connectors.erp.tryton.rest import Record
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton.shipment_lines import SHIPMENT, ShipmentLines, lines_note
from connectors.erp.tryton.states import DRAFT
from domain.erp_order import ErpOrder

Planned = tuple[Record, str]
"""A shipment's values and its line note."""


class TicketShipmentDrafts:
    def __init__(self, rpc: TrytonRpc, codes: TrytonCodes) -> None:
        self._rpc = rpc
        self._codes = codes
        self._customer_locations: dict[int, int] = {}
        self._lines = ShipmentLines(rpc)

    async def plan(self, order: ErpOrder) -> Planned | None:
        """The shipment's values and its line note; None when no line moves stock."""
        tax_codes = {tax.erp_tax_code for line in order.product_lines for tax in line.taxes}
        tax_codes |= {tax.erp_tax_code for line in order.discount_lines for tax in line.taxes}
        warehouse, products, party, currency, _ = await asyncio.gather(
            self._codes.warehouse(order.warehouse_code),
            self._codes.products([line.product_code for line in order.product_lines]),
            self._codes.party(order.customer_code or CASH_SALE_CODE),
            self._codes.currency(order.currency),
            self._codes.taxes(sorted(tax_codes)),  # the day's posting books them: known now
        )
        lines = [line for line in order.product_lines if products[line.product_code].is_stocked]
        if not lines:
            return None
        customer_location = await self._customer_location(party.id)
        moves = [
            {
                "product": products[line.product_code].id,
                "unit": products[line.product_code].unit_id,
                "quantity": float(line.quantity),
                # What Tryton would compute and write in a second pass over each move, which
                # costs the move's validation again: the unit is the product's own.
                "internal_quantity": float(line.quantity),
                "from_location": warehouse.output_id,
                "to_location": customer_location,
                "unit_price": line.unit_price,
                "currency": currency,
                "planned_date": order.sale_date,
            }
            for line in lines
        ]
        values = {
            "reference": order.reference,
            "customer": party.id,
            "delivery_address": party.address_id,
            "warehouse": warehouse.id,
            "warehouse_storage": warehouse.storage_id,
            "warehouse_output": warehouse.output_id,
            "planned_date": order.sale_date,
            "outgoing_moves": [["create", moves]],
        }
        return values, lines_note(lines)

    async def create(
        self, planned: dict[str, Planned]
    ) -> tuple[dict[str, Record], dict[str, ErpRejected]]:
        """Create the planned shipments in one call (one by one when the ERP refuses the
        batch, so that a bad order fails alone), each with its line note: the drafts created
        and the refusals, by reference."""
        references = list(planned)
        if not references:
            return {}, {}
        refused: dict[str, ErpRejected] = {}
        try:
            ids = await self._rpc.call(SHIPMENT, "create", [planned[r][0] for r in references])
            created = dict(zip(references, ids, strict=True))
        except ErpRejected:
            if len(references) == 1:
                raise
            created = {}
            for reference in references:
                try:
                    [created[reference]] = await self._rpc.call(
                        SHIPMENT, "create", [planned[reference][0]]
                    )
                except ErpRejected as error:
                    refused[reference] = error
        await self._lines.write({created[r]: planned[r][1] for r in created})
        drafts = {r: {"id": id_, "reference": r, "state": DRAFT} for r, id_ in created.items()}
        return drafts, refused

    async def note_drafts_found(
        self, found: dict[str, Record], orders: dict[str, ErpOrder]
    ) -> None:
        """A draft found again may have lost its note to a crash right after its creation."""
        await self._note_unnoted(
            {r["id"]: orders[ref] for ref, r in found.items() if r["state"] == DRAFT}
        )

    async def note_kept(
        self,
        kept: dict[str, Record],
        found: dict[str, Record],
        created: dict[str, Record],
        orders: dict[str, ErpOrder],
    ) -> None:
        """A shipment kept under a reference that this call neither found nor created (an
        attempt that died right after creating it, before its note, committed after this one
        looked) gets its note too: a return finds the lines it takes back by it."""
        seen = {record["id"] for record in (*found.values(), *created.values())}
        await self._note_unnoted(
            {r["id"]: orders[ref] for ref, r in kept.items() if r["id"] not in seen}
        )

    async def _note_unnoted(self, shipments: dict[int, ErpOrder]) -> None:
        notes = {}
        for id_ in await self._lines.unnoted(list(shipments)):
            planned = await self.plan(shipments[id_])
            if planned is not None:
                notes[id_] = planned[1]
        await self._lines.write(notes)

    async def name_origins(self, drafts: list[Record]) -> None:
        """Name each customer move of the draft shipments (read with ``outgoing_moves.origin``)
        that has no origin its own origin.

        Tryton warns when it assigns a move to a customer that has no origin (it expects a
        sale line), and JSON-RPC cannot skip warnings: accepting one costs a failed call and a
        second run of the button, twice a batch. A ticket's moves have no other origin than
        themselves, and a part Tryton splits off a move when it reserves part of it keeps
        that origin, by which a return finds the line (shipment_lines.py). Once a shipment has
        left draft its moves' origins can no longer be written: another reservation of the
        same ticket has taken it on, and named them first."""
        writes: list[Any] = []
        for draft in drafts:
            # A draft the read did not return was cancelled meanwhile: nothing to name.
            for move in draft.get("outgoing_moves.", ()):
                if move["origin"] is None:
                    writes += [[move["id"]], {"origin": f"stock.move,{move['id']}"}]
        if not writes:
            return
        try:
            await self._rpc.call("stock.move", "write", *writes)
        except ErpRejected:
            ids = [draft["id"] for draft in drafts]
            states = await self._rpc.call(SHIPMENT, "read", ids, ["state"])
            if all(record["state"] == DRAFT for record in states):
                raise

    async def _customer_location(self, party_id: int) -> int:
        if party_id not in self._customer_locations:
            [party] = await self._rpc.call("party.party", "read", [party_id], ["customer_location"])
            self._customer_locations[party_id] = party["customer_location"]
        return self._customer_locations[party_id]
