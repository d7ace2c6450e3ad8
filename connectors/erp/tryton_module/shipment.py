"""A batch of tickets' customer shipments booked in one transaction and reserved in a second
(connectors/erp/tryton/ticket_reservations.py calls them).

Two transactions, not one: a ticket's reservation may run twice at once (a worker whose
workflow task timed out still runs it while another runs it again), and both find nothing
and create. Each looks for a second shipment under its references once its own is committed,
so the later of the two sees both and keeps one (kept_shipment.py).
"""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sql import Cast
from sql.operators import Concat
from trytond.model import ModelView
from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

from connectors.erp.tryton_module.kept_shipment import preference

_Method = TypeVar("_Method", bound=Callable[..., Any])
_button = cast(Callable[[_Method], _Method], ModelView.button)
"""Tryton's button decorator (access to the records' buttons checked, the press logged)."""

Booked = dict[str, dict[str, Any]]
"""A shipment's id and state (and, reserved, its customer's code and whether it was forced),
by ticket reference."""


# trytond has no type hints: mypy sees its metaclass, and so the base it adds, as Any.
class ShipmentOut(metaclass=PoolMeta):  # type: ignore[metaclass]
    __name__ = "stock.shipment.out"

    @classmethod
    def __setup__(cls) -> None:
        super().__setup__()  # type: ignore[misc]
        cls.__rpc__.update(
            {"tillsync_book": RPC(readonly=False), "tillsync_reserve": RPC(readonly=False)}
        )

    @classmethod
    def tillsync_book(cls, tickets: list[dict[str, Any]]) -> Booked:
        """Create the shipment of each ticket (``reference``, ``values`` as Tryton's create
        takes them, ``note``) that has none under its reference yet, each move named its own
        origin and the shipment its lines' note: the shipment found or created under each
        reference. A ticket without values is only looked for."""
        pool = Pool()
        found = cls._tillsync_kept([ticket["reference"] for ticket in tickets], [])
        new = [t for t in tickets if t["reference"] not in found and t.get("values")]
        values = [dict(ticket["values"]) for ticket in new]
        # The moves created apart, all at once: through the shipment's outgoing moves Tryton
        # writes each shipment again, and validates it again, to create its own.
        moves = [
            [move for _, created in shipment.pop("outgoing_moves", []) for move in created]
            for shipment in values
        ]
        created = cls.create(values) if values else []
        # As Tryton creates a shipment's moves: the access to the shipment is what counts.
        with without_check_access():
            created_moves = pool.get("stock.move").create(
                [
                    {**move, "shipment": str(shipment)}
                    for shipment, its_moves in zip(created, moves, strict=True)
                    for move in its_moves
                ]
            )
        cls._tillsync_name_origins([move.id for move in created_moves])
        pool.get("ir.note").create(
            [
                {"resource": str(shipment), "message": ticket["note"]}
                for shipment, ticket in zip(created, new, strict=True)
            ]
        )
        booked = {**found, **{t["reference"]: s for s, t in zip(created, new, strict=True)}}
        return {ref: {"id": s.id, "state": s.state} for ref, s in booked.items()}

    @classmethod
    def tillsync_reserve(cls, notes: dict[str, str | None]) -> Booked:
        """Reserve the shipment kept under each reference (cancelling the others), forced
        where Tryton counts too little stock (the goods left the till already). A draft
        that an attempt which died left unnoted or unnamed gets the note given and its
        moves their origin first. A reference whose shipments are all cancelled is left
        out."""
        kept = cls._tillsync_kept(list(notes), [("state", "!=", "cancelled")], cancel=True)
        drafts = [shipment for shipment in kept.values() if shipment.state == "draft"]
        cls._tillsync_complete(drafts, notes)
        to_assign = [s.id for s in kept.values() if s.state in {"draft", "waiting"}]
        # What the client accepts anyway when Tryton warns (a customer move of no origin).
        with Transaction().set_context(_skip_warnings=True):
            if drafts:
                cls.wait(drafts)
            forced_ids = cls.tillsync_assign(cls.browse(to_assign))
        return {
            reference: {
                "id": shipment.id,
                "state": shipment.state,
                "customer_code": shipment.customer.code,
                "forced": shipment.id in forced_ids,
            }
            for reference, shipment in zip(
                kept, cls.browse([s.id for s in kept.values()]), strict=True
            )
        }

    @classmethod
    @_button
    def tillsync_assign(cls, shipments: list[Any]) -> set[int]:
        """Reserve the waiting shipments whole, in one pass over their moves: the ids of those
        Tryton counts too little stock for (reserved all the same: the goods left the till).

        Tryton's ``assign_try`` writes each move twice (its location and quantity, then its
        state) and splits off the part it finds no stock for, which the ticket forces anyway:
        here Tryton's own lock and count decide which are short, and each move is written once.
        """
        pool = Pool()
        product_model = pool.get("product.product")
        move_model = pool.get("stock.move")
        moves = [
            move
            for shipment in shipments
            for move in shipment.assign_moves
            if move.assignation_required and move.state in {"draft", "staging"}
        ]
        short: set[int] = set()
        for company in {move.company for move in moves}:
            company_moves = [move for move in moves if move.company == company]
            locations = list({move.from_location.id for move in company_moves})
            products = list({move.product.id for move in company_moves})
            with Transaction().set_context(company=company.id):
                today = pool.get("ir.date").today()
                children = pool.get("stock.location").search([("parent", "child_of", locations)])
                move_model._assign_try_lock(
                    products, [c.id for c in children], [company.id], today, ("product",)
                )
                with Transaction().set_context(stock_date_end=today, stock_assign=True):
                    left = product_model.products_by_location(
                        locations, with_childs=True, grouping_filter=(products,)
                    )
            for move in company_moves:
                key = (move.from_location.id, move.product.id)
                left[key] = left.get(key, 0) - move.internal_quantity
                if -left[key] >= move.product.default_uom.rounding:
                    short.add(move.shipment.id)
        cls.assign(shipments)
        return short

    @classmethod
    def _tillsync_kept(
        cls, references: list[str], domain: list[Any], cancel: bool = False
    ) -> dict[str, Any]:
        """The shipment kept under each of ``references``; with ``cancel``, the others
        still open are cancelled."""
        kept: dict[str, Any] = {}
        others = []
        shipments = cls.search([("reference", "in", references), *domain])
        for shipment in sorted(shipments, key=lambda s: preference(s.state, s.id)):
            if shipment.reference not in kept:
                kept[shipment.reference] = shipment
            elif shipment.state not in {"done", "cancelled"}:
                others.append(shipment)
        if cancel and others:
            cls.cancel(others)
        return kept

    @classmethod
    def _tillsync_name_origins(cls, move_ids: list[int]) -> None:
        """Each new move its own origin, in SQL: through the ORM each move would be
        validated again, a third of a batch's time in Tryton."""
        move = Pool().get("stock.move").__table__()
        cursor = Transaction().connection.cursor()
        for ids in grouped_slice(move_ids):
            cursor.execute(
                *move.update(
                    [move.origin],
                    [Concat("stock.move,", Cast(move.id, "VARCHAR"))],
                    where=reduce_ids(move.id, list(ids)),
                )
            )

    @classmethod
    def _tillsync_complete(cls, drafts: list[Any], notes: dict[str, str | None]) -> None:
        """Note each draft without a note, and name each of its moves without an origin."""
        pool = Pool()
        note_model = pool.get("ir.note")
        resources = [str(shipment) for shipment in drafts]
        noted = {str(note.resource) for note in note_model.search([("resource", "in", resources)])}
        note_model.create(
            [
                {"resource": str(shipment), "message": notes[shipment.reference]}
                for shipment in drafts
                if str(shipment) not in noted and notes.get(shipment.reference)
            ]
        )
        move_model = pool.get("stock.move")
        # A draft has no moves but its outgoing ones (wait makes the others).
        unnamed = move_model.search([("shipment", "in", resources), ("origin", "=", None)])
        if unnamed:
            # Through the ORM: Tryton reads these moves again in this transaction.
            move_model.write(*[arg for move in unnamed for arg in ([move], {"origin": str(move)})])
