"""The invariant a chaos run must keep, checked on books read straight from the ERP and the
store (pure: fed with fabricated books in the unit tests).

- every completed, mapped ticket is journaled posted and booked exactly once in the ERP with
  the till's quantities, or has an open exception in the store and moved nothing in the ERP
  (its reservation may stand, or have been released), and a return is never refused when
  what it returns was booked;
- an unmapped ticket books nothing and has an open exception;
- an incomplete ticket books nothing (moves no stock);
- stock per warehouse and product moved by exactly what the booked tickets imply;
- each store-day's consolidated takings equal the till's gross of its booked tickets;
- every ticket the ingest (or the CLI) accepted is in the journal or has an open exception.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.outcomes import ExceptionKind, Outcome
from tests.chaos.day import BUSINESS_DAY, Ticket

POSTED = Outcome.POSTED.value


@dataclass(frozen=True)
class ErpDocument:
    """One live (not cancelled) ERP document booked under a ticket's reference."""

    reference: str
    model: str
    state: str
    stock_in: dict[str, Decimal] = field(default_factory=dict)
    """product code -> quantity its done moves brought into its warehouse (negative: out)"""


@dataclass(frozen=True)
class ErpBooks:
    documents: dict[str, list[ErpDocument]]
    """workflow id -> its live documents, whatever their attempt suffix"""
    stock: dict[tuple[str, str], Decimal]
    """(warehouse code, product code) -> on hand from done moves"""
    takings: dict[tuple[str, date], Decimal]
    """(store, business day) -> gross of the posted consolidated entries (tenders + unpaid)"""


@dataclass(frozen=True)
class StoreView:
    journal: dict[str, str]
    """workflow id -> outcome journaled"""
    open_exceptions: dict[str, list[str]]
    """workflow id -> kinds of its open exceptions"""
    claimed: set[str] = field(default_factory=set)
    """workflow ids a run claimed (a malformed payload's must not be there)"""
    notes: dict[str, list[str]] = field(default_factory=dict)
    """workflow id -> "kind: message" of each of its open exceptions"""


@dataclass
class Verdict:
    tickets: int = 0
    posted_once: int = 0
    open_exceptions: int = 0
    posted_twice: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)
    parked: list[str] = field(default_factory=list)
    """the completed, mapped tickets counted as open exceptions"""

    @property
    def ok(self) -> bool:
        return not self.problems and self.lost == 0 and self.posted_twice == 0

    def problem(self, text: str) -> None:
        self.problems.append(text)


def check(
    tickets: Iterable[Ticket],
    accepted: set[str],
    opening: ErpBooks,
    closing: ErpBooks,
    store: StoreView,
) -> Verdict:
    """``accepted``: the workflow ids the ingest or the CLI answered 2xx for. ``opening``'s
    stock is the ERP's before the day."""
    verdict = Verdict()
    booked_change: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    booked_gross: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    distinct = {ticket.workflow_id: ticket for ticket in tickets}
    by_transaction = {
        (ticket.store_id, ticket.payload["terminal_id"], ticket.transaction_id): ticket
        for ticket in distinct.values()
    }
    for workflow_id, ticket in distinct.items():
        verdict.tickets += 1
        documents = closing.documents.get(workflow_id, [])
        if workflow_id not in accepted:
            verdict.lost += 1
            verdict.problem(f"{workflow_id}: never accepted by the ingest nor the CLI")
            continue
        if workflow_id not in store.journal and workflow_id not in store.open_exceptions:
            verdict.lost += 1
            verdict.problem(f"{workflow_id}: accepted, but not journaled and no open exception")
            continue
        if not ticket.postable:
            if documents:
                verdict.problem(f"{workflow_id} ({ticket.kind}): booked {len(documents)} in ERP")
            elif ticket.complete and workflow_id not in store.open_exceptions:
                verdict.problem(f"{workflow_id} ({ticket.kind}): no open exception")
            continue
        if len(documents) > 1:
            verdict.posted_twice += 1
            verdict.problem(f"{workflow_id}: {len(documents)} live ERP documents")
        moved = _moved(documents)
        if store.journal.get(workflow_id) != POSTED:
            _check_not_booked(verdict, ticket, moved, store, by_transaction, closing)
            continue
        if not documents:
            verdict.lost += 1
            verdict.problem(f"{workflow_id}: journaled posted, but not in the ERP")
            continue
        if len(documents) == 1:
            verdict.posted_once += 1
        expected = {code: qty for code, qty in ticket.stock_change.items() if qty}
        if moved != expected:
            verdict.problem(f"{workflow_id}: the ERP moved {moved}, the till {expected}")
        assert ticket.warehouse is not None
        for code, quantity in ticket.stock_change.items():
            booked_change[(ticket.warehouse, code)] += quantity
        booked_gross[(ticket.store_id, BUSINESS_DAY)] += ticket.gross
    _check_stock(verdict, opening, closing, booked_change)
    _check_takings(verdict, closing, booked_gross)
    return verdict


def _check_not_booked(
    verdict: Verdict,
    ticket: Ticket,
    moved: dict[str, Decimal],
    store: StoreView,
    by_transaction: dict[tuple[str, str, str], Ticket],
    closing: ErpBooks,
) -> None:
    """A completed, mapped ticket tillsync did not journal posted: an open exception must say
    why, and the ERP may hold its reservation (standing, or released) but have moved nothing
    for it."""
    workflow_id = ticket.workflow_id
    kinds = store.open_exceptions.get(workflow_id)
    if not kinds:
        verdict.lost += 1
        journaled = store.journal.get(workflow_id, "nothing")
        verdict.problem(f"{workflow_id}: journaled {journaled}, and no open exception")
        return
    verdict.open_exceptions += 1
    verdict.parked.append(workflow_id)
    if moved:
        verdict.problem(f"{workflow_id}: open exception {kinds}, yet the ERP moved {moved}")
    if ExceptionKind.RETURN_REFUSED.value in kinds:
        _check_refusal(verdict, ticket, by_transaction, closing)


def _check_refusal(
    verdict: Verdict,
    ticket: Ticket,
    by_transaction: dict[tuple[str, str, str], Ticket],
    closing: ErpBooks,
) -> None:
    """The day's returns take back lines its sales sold: refused, each original must be
    missing from the ERP (itself parked)."""
    for key in sorted(ticket.returned_from):
        original = by_transaction.get(key)
        if original is not None and closing.documents.get(original.workflow_id):
            verdict.problem(
                f"{ticket.workflow_id}: return refused, though {original.workflow_id} is booked"
            )


def _moved(documents: list[ErpDocument]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = defaultdict(Decimal)
    for document in documents:
        for code, quantity in document.stock_in.items():
            total[code] += quantity
    return {code: quantity for code, quantity in total.items() if quantity}


def _check_stock(
    verdict: Verdict,
    opening: ErpBooks,
    closing: ErpBooks,
    booked_change: dict[tuple[str, str], Decimal],
) -> None:
    for key in sorted(set(opening.stock) | set(closing.stock) | set(booked_change)):
        change = closing.stock.get(key, Decimal(0)) - opening.stock.get(key, Decimal(0))
        if change != booked_change.get(key, Decimal(0)):
            verdict.problem(
                f"stock {key[0]} {key[1]}: moved {change}, the tickets imply {booked_change[key]}"
            )


def _check_takings(
    verdict: Verdict, closing: ErpBooks, booked_gross: dict[tuple[str, date], Decimal]
) -> None:
    for key in sorted(set(closing.takings) | set(booked_gross)):
        booked = closing.takings.get(key, Decimal(0))
        if booked != booked_gross.get(key, Decimal(0)):
            verdict.problem(
                f"takings {key[0]} {key[1]}: the ERP holds {booked}, the tills {booked_gross[key]}"
            )
