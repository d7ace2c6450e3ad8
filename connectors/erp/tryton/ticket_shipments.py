"""Daily posting mode's stock: a ticket as a customer shipment of its own, without a sale.

In daily posting mode the day's consolidated posting books the money, so a ticket's sale
document would add nothing but ERP time (most of it). A ticket that returns nothing is booked
as a customer shipment alone, under the ticket's reference, and a batch of tickets costs a
handful of JSON-RPC calls whatever its size: created together (ticket_shipment_drafts.py),
waited, assigned (forced where the ERP counts too little: the goods already left the till),
and packed and done together by the day's consolidated posting (or first by a return that
takes some of them back). Where tillsync's Tryton module is activated, the batch is booked and
reserved in two requests (ticket_reservations.py) instead of the eight below. Returns and
exchanges keep the sale path (returns.py), which links them to the moves of the line they
take back.

Moves have no field for the POS line they book: each shipment carries a note listing them
(shipment_lines.py), by which a later return finds the line it takes back.
"""

from collections.abc import Sequence

from connectors.erp.errors import ErpError, ErpRejected, ErpUnavailable
from connectors.erp.tryton.codes import TrytonCodes
from connectors.erp.tryton.documents import order_customer_code
from connectors.erp.tryton.rest import Record
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton.shipment_lines import SHIPMENT, ShipmentLines, ShippedLine
from connectors.erp.tryton.states import (
    ASSIGNED,
    CANCELLED,
    DONE,
    DRAFT,
    OPEN_SHIPMENT_STATES,
    PACKED,
    WAITING,
)
from connectors.erp.tryton.ticket_reservations import ModuleReservations
from connectors.erp.tryton.ticket_shipment_drafts import Planned, TicketShipmentDrafts
from connectors.erp.tryton_module.kept_shipment import preference
from domain.erp_order import ErpOrder, ErpOrderRefs

_FIELDS = ["reference", "state", "customer.code"]
_REACHED_BY = {"pack": {PACKED, DONE}, "do": {DONE}}
"""The states a shipment is in once each button ran on it."""

Outcome = ErpOrderRefs | Exception


class TicketShipments:
    def __init__(self, rpc: TrytonRpc, codes: TrytonCodes) -> None:
        self._rpc = rpc
        self._drafts = TicketShipmentDrafts(rpc, codes)
        self._lines = ShipmentLines(rpc)
        self._module = ModuleReservations(rpc, self._drafts)
        self.with_module: bool | None = None
        """Whether reservations go through tillsync's Tryton module (ticket_reservations.py);
        None until Tryton has been asked whether it is activated."""

    async def find(self, references: Sequence[str]) -> dict[str, Record]:
        """The shipments booked under ``references`` (id, reference, state), by reference; a
        live one before a cancelled one."""
        if not references:
            return {}
        records = await self._rpc.call(
            SHIPMENT, "search_read", [("reference", "in", list(references))], 0, None, None, _FIELDS
        )
        found: dict[str, Record] = {}
        for record in sorted(records, key=_preferred):
            found.setdefault(record["reference"], record)
        return found

    async def reserve(self, orders: Sequence[ErpOrder]) -> list[Outcome]:
        """Book and reserve each order's shipment (found again when it exists); one outcome
        per order, in order."""
        if self.with_module is None:
            self.with_module = await self._module.activated()
        if self.with_module:
            through_module = await self._through_module(orders)
            if through_module is not None:
                return through_module
            # Deactivated since Tryton was asked: Tryton's own methods from now on, and for
            # this batch, rather than every ticket parked as refused until a restart.
            self.with_module = False
        by_reference = {order.reference: order for order in orders}
        found = await self.find(sorted(by_reference))
        outcomes: dict[str, Outcome] = {}
        to_create: dict[str, Planned] = {}
        for reference, order in by_reference.items():
            if reference in found:
                continue
            try:
                planned = await self._drafts.plan(order)
            except ErpError as error:
                outcomes[reference] = error
                continue
            if planned is None:  # services only
                outcomes[reference] = ErpOrderRefs(
                    reference=reference, customer_code=order.customer_code
                )
            else:
                to_create[reference] = planned
        created, refused = await self._drafts.create(to_create)
        outcomes.update(refused)
        for reference, record in created.items():
            record["customer."] = {"code": by_reference[reference].customer_code}
        await self._drafts.note_drafts_found(found, by_reference)
        booked = await self._one_per_reference({**found, **created})
        await self._drafts.note_kept(booked, found, created, by_reference)
        await self._drafts.name_origins([r for r in booked.values() if r["state"] == DRAFT])
        live: dict[str, Record] = {}
        for reference, record in booked.items():
            if record["state"] == CANCELLED:
                outcomes[reference] = ErpRejected(
                    f"shipment {record['id']} for {reference} is cancelled"
                )
            else:
                live[reference] = record
        try:
            forced = await self._assign(list(live.values()))
        except ErpRejected as refusal:
            raise await self._superseded_or(refusal, list(live.values())) from refusal
        for reference, record in live.items():
            outcomes[reference] = ErpOrderRefs(
                reference=reference,
                customer_code=customer_code_of(record),
                shipment_ids=[str(record["id"])],
                reserved_beyond_stock=record["id"] in forced,
            )
        return [outcomes[order.reference] for order in orders]

    async def _one_per_reference(self, booked: dict[str, Record]) -> dict[str, Record]:
        """The preferred live shipment under each reference booked, the others cancelled while
        open.

        Another worker may have created one under the same reference meanwhile: a worker whose
        workflow task timed out still runs its reservation while another worker runs it again,
        and both found nothing; or an attempt created one and failed before it was reserved
        while the shipment it did not find was still being committed. Each creator looks once
        its own is in, so the later of the two sees both, and so does any later attempt."""
        if not booked:
            return booked
        records = await self._rpc.call(
            SHIPMENT,
            "search_read",
            [("reference", "in", sorted(booked)), ("state", "!=", CANCELLED)],
            0,
            None,
            None,
            [*_FIELDS, "outgoing_moves.origin"],
        )
        kept: dict[str, Record] = {}
        others: list[int] = []
        for record in sorted(records, key=_preferred):
            if record["reference"] not in kept:
                kept[record["reference"]] = record
            elif record["state"] in OPEN_SHIPMENT_STATES:
                others.append(record["id"])
        if others:
            try:
                await self._rpc.call(SHIPMENT, "cancel", others)
            except ErpRejected:  # the other reservation cancelled them first
                states = await self._rpc.call(SHIPMENT, "read", others, ["state"])
                if any(record["state"] != CANCELLED for record in states):
                    raise
        return {reference: kept.get(reference, record) for reference, record in booked.items()}

    async def _superseded_or(self, refusal: ErpRejected, records: list[Record]) -> ErpError:
        """Tryton refuses a whole batch to assign when one of its shipments was cancelled
        meanwhile by another reservation of the same ticket (_one_per_reference): then the
        batch is tried again, and finds the shipment kept; any other refusal stands."""
        states = await self._rpc.call(SHIPMENT, "read", [r["id"] for r in records], ["state"])
        if any(record["state"] == CANCELLED for record in states):
            return ErpUnavailable(
                f"another reservation of a ticket of this batch cancelled its shipment: {refusal}"
            )
        return refusal

    async def issue(self, references: Sequence[str]) -> dict[str, Outcome]:
        """Pack and do the reserved shipments of ``references`` (those found), together."""
        found = await self.find(references)
        outcomes: dict[str, Outcome] = {}
        for reference, record in found.items():
            if record["state"] not in {ASSIGNED, PACKED, DONE}:
                outcomes[reference] = ErpRejected(
                    f"shipment {record['id']} of {reference} is {record['state']}, not reserved"
                )
        assigned = [r for r in found.values() if r["state"] == ASSIGNED]
        packable = [r for r in found.values() if r["state"] in {ASSIGNED, PACKED}]
        failed = await self._each("pack", assigned)
        failed.update(await self._each("do", [r for r in packable if r["id"] not in failed]))
        for reference, record in found.items():
            outcomes.setdefault(
                reference,
                failed.get(record["id"])
                or ErpOrderRefs(reference=reference, shipment_ids=[str(record["id"])]),
            )
        return outcomes

    async def _through_module(self, orders: Sequence[ErpOrder]) -> list[Outcome] | None:
        """The batch's outcomes through the module; None when Tryton refused it whole because
        the module is no longer activated."""
        try:
            outcomes = await self._module.reserve(orders)
        except ErpRejected:
            if await self._module.activated():
                raise
            return None
        refused = [outcome for outcome in outcomes if isinstance(outcome, ErpRejected)]
        if refused and len(refused) == len(outcomes) and not await self._module.activated():
            return None
        return outcomes

    async def release(self, reference: str) -> None:
        """Cancel the reservation booked under ``reference``, if it is still open."""
        record = (await self.find([reference])).get(reference)
        if record is not None and record["state"] in OPEN_SHIPMENT_STATES:
            await self._rpc.call(SHIPMENT, "cancel", [record["id"]])

    async def shipped_line(self, reference: str, line_number: int) -> ShippedLine | None:
        """What POS line ``line_number`` of the ticket shipped under ``reference`` issued."""
        record = (await self.find([reference])).get(reference)
        if record is None or record["state"] == CANCELLED:
            return None
        if record["state"] != DONE:
            # Still reserved (the day's posting has not issued it): the goods left the till,
            # and the return takes them back at the cost they leave at.
            outcome = (await self.issue([reference])).get(reference)
            if isinstance(outcome, Exception):
                raise outcome
        return await self._lines.shipped_line(record["id"], line_number)

    async def _assign(self, records: list[Record]) -> set[int]:
        """Wait and assign the shipments; those the ERP counts too little stock for are
        forced (their ids returned): the till sold the goods already."""
        draft = [r["id"] for r in records if r["state"] == DRAFT]
        if draft:
            await self._rpc.call(SHIPMENT, "wait", draft)
        waiting = [r["id"] for r in records if r["state"] in {DRAFT, WAITING}]
        if not waiting:
            return set()
        await self._rpc.call(SHIPMENT, "assign_try", waiting)
        states = await self._rpc.call(SHIPMENT, "read", waiting, ["state"])
        short = [record["id"] for record in states if record["state"] == WAITING]
        if short:
            await self._rpc.call(SHIPMENT, "assign_force", short)
        return set(short)

    async def _each(self, button: str, records: list[Record]) -> dict[int, Exception]:
        """Run ``button`` on all ``records`` at once, then one by one if the ERP refuses the
        lot: the ids it still refuses, with the refusal."""
        ids = [record["id"] for record in records]
        if not ids:
            return {}
        try:
            await self._rpc.call(SHIPMENT, button, ids)
            return {}
        except ErpRejected as refusal:
            if len(ids) == 1:
                return await self._unless_done_meanwhile(button, {ids[0]: refusal})
        failed: dict[int, Exception] = {}
        for id_ in ids:
            try:
                await self._rpc.call(SHIPMENT, button, [id_])
            except ErpRejected as refusal:
                failed[id_] = refusal
        return await self._unless_done_meanwhile(button, failed)

    async def _unless_done_meanwhile(
        self, button: str, refused: dict[int, Exception]
    ) -> dict[int, Exception]:
        """Of the refusals, those whose shipment is not where the button takes it: another
        call (a second return of the same sale, woken with this one, or an attempt this one
        retries) pressed it first, between this call's read and its button."""
        if not refused:
            return refused
        states = await self._rpc.call(SHIPMENT, "read", list(refused), ["state"])
        there = {record["id"] for record in states if record["state"] in _REACHED_BY[button]}
        return {id_: error for id_, error in refused.items() if id_ not in there}


def customer_code_of(record: Record) -> str | None:
    """The shipment's customer, None for the cash-sale customer (as ErpOrder says it)."""
    return order_customer_code((record.get("customer.") or {}).get("code"))


def _preferred(record: Record) -> tuple[int, int]:
    return preference(record["state"], record["id"])
