"""A batch of tickets booked and reserved by tillsync's Tryton module
(connectors/erp/tryton_module) in two JSON-RPC requests: ``tillsync_book`` creates the
shipments not booked yet (their moves named, their lines noted) and ``tillsync_reserve`` keeps
one a reference and reserves it, each in one Tryton transaction. Without the module,
ticket_shipments.py makes the same calls one by one (eight requests a fresh batch)."""

from collections.abc import Sequence
from typing import Any

from connectors.erp.errors import ErpError, ErpRejected, ErpUnavailable
from connectors.erp.tryton.documents import order_customer_code
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton.shipment_lines import SHIPMENT
from connectors.erp.tryton.states import CANCELLED
from connectors.erp.tryton.ticket_shipment_drafts import TicketShipmentDrafts
from connectors.erp.tryton_module import MODULE_NAME
from domain.erp_order import ErpOrder, ErpOrderRefs

Outcome = ErpOrderRefs | Exception
BOOK = "tillsync_book"
RESERVE = "tillsync_reserve"


class ModuleReservations:
    def __init__(self, rpc: TrytonRpc, drafts: TicketShipmentDrafts) -> None:
        self._rpc = rpc
        self._drafts = drafts

    async def activated(self) -> bool:
        """Whether the module is activated in this Tryton."""
        found = await self._rpc.call(
            "ir.module", "search", [("name", "=", MODULE_NAME), ("state", "=", "activated")]
        )
        return bool(found)

    async def reserve(self, orders: Sequence[ErpOrder]) -> list[Outcome]:
        """Book and reserve each order's shipment (found again when it exists); one outcome
        per order, in order."""
        outcomes: dict[str, Outcome] = {}
        unplanned: dict[str, ErpError] = {}
        tickets: list[dict[str, Any]] = []
        for order in orders:
            try:
                planned = await self._drafts.plan(order)
            except ErpError as error:
                # Looked for all the same: a shipment booked before the codes changed stands.
                unplanned[order.reference] = error
                tickets.append({"reference": order.reference, "values": None, "note": None})
                continue
            if planned is None:  # services only
                outcomes[order.reference] = ErpOrderRefs(
                    reference=order.reference, customer_code=order.customer_code
                )
            else:
                values, note = planned
                tickets.append({"reference": order.reference, "values": values, "note": note})
        booked = await self._book(tickets)
        notes: dict[str, str | None] = {}
        for ticket in tickets:
            reference = ticket["reference"]
            outcome = booked.get(reference) or unplanned.get(reference)
            if isinstance(outcome, Exception):
                outcomes[reference] = outcome
            elif outcome is None:
                outcomes[reference] = ErpRejected(f"nothing booked for {reference}")
            elif outcome["state"] == CANCELLED:
                outcomes[reference] = ErpRejected(
                    f"shipment {outcome['id']} for {reference} is cancelled"
                )
            else:
                notes[reference] = ticket["note"]
        reserved = await self._rpc.call(SHIPMENT, RESERVE, notes) if notes else {}
        for reference in notes:
            record = reserved.get(reference)
            outcomes[reference] = (
                _refs(reference, record)
                if record is not None
                else ErpUnavailable(
                    f"another reservation of {reference} cancelled its shipment meanwhile"
                )
            )
        return [outcomes[order.reference] for order in orders]

    async def _book(self, tickets: list[dict[str, Any]]) -> dict[str, dict[str, Any] | Exception]:
        """Each ticket's shipment found or created, by reference; the batch is booked one by
        one when Tryton refuses it, so that a bad order fails alone."""
        if not tickets:
            return {}
        try:
            booked: dict[str, dict[str, Any] | Exception] = await self._rpc.call(
                SHIPMENT, BOOK, tickets
            )
            return booked
        except ErpRejected:
            if len(tickets) == 1:
                raise
        booked = {}
        for ticket in tickets:
            try:
                booked.update(await self._rpc.call(SHIPMENT, BOOK, [ticket]))
            except ErpRejected as refusal:
                booked[ticket["reference"]] = refusal
        return booked


def _refs(reference: str, record: dict[str, Any]) -> ErpOrderRefs:
    return ErpOrderRefs(
        reference=reference,
        customer_code=order_customer_code(record["customer_code"]),
        shipment_ids=[str(record["id"])],
        reserved_beyond_stock=record["forced"],
    )
