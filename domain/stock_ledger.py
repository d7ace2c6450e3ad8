"""The stock ledger per warehouse (a store's stock) and product, explained by what tillsync
booked: sales and returns from the tills, transfers out and in, supplier receipts, and tickets
abandoned in their books (their goods left the till all the same).

Each booked event leaves signed movements (into the warehouse positive). Over a span, the
closing is the opening plus those movements, and it is set against the ERP's stock free of
reservations (``available``: on-hand less what is reserved), not its bare on-hand: tillsync
counts a sale the moment its stock is reserved, and in daily posting mode the ERP issues it
(on-hand drops) only at the day's consolidated posting. Available drops at the reservation in
both modes and stays put when the stock issues, so the ledger compares like with like before
and after the day's posting. A difference is stock that moved outside tillsync (an inventory
count, a manual move, a reservation the ERP made itself, a ticket parked in its books) or that
tillsync booked and the ERP lost. Damaged returns go to the damaged-goods location, which is
not the store's sellable stock, so they are not in its ledger; what a short transfer left in
transit is in neither store's.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.erp_order import ErpOrder, StockLevel
from domain.money import Amount
from domain.transaction import ItemCondition

LedgerKey = tuple[str, str]
"""(warehouse code, product code)"""


class MovementCause(StrEnum):
    SALE = "sale"
    RETURN = "return"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    RECEIPT = "receipt"
    ABANDONED = "abandoned"
    """A ticket abandoned in its books: not booked, but its goods were issued (or taken back)."""


class LedgerMovement(BaseModel):
    model_config = ConfigDict(frozen=True)

    warehouse_code: str
    product_code: str
    cause: MovementCause
    quantity: Amount = Field(description="signed: into the warehouse positive")

    @property
    def key(self) -> LedgerKey:
        return self.warehouse_code, self.product_code


def received_movements(
    warehouse_code: str, cause: MovementCause, received: Mapping[str, Decimal]
) -> list[LedgerMovement]:
    """What a receipt (a transfer's or a supplier's) brought into the warehouse, by product
    code; a product received zero times moved nothing."""
    return [
        LedgerMovement(
            warehouse_code=warehouse_code, product_code=code, cause=cause, quantity=quantity
        )
        for code, quantity in sorted(received.items())
        if quantity
    ]


def order_movements(order: ErpOrder, *, abandoned: bool = False) -> list[LedgerMovement]:
    """What a ticket's booked order moved: sold goods out, resaleable returns back in (all of
    it as ``abandoned`` when the books were given up and the goods issued all the same)."""
    movements = []
    for line in order.product_lines:
        if line.quantity < 0 and line.condition is ItemCondition.DAMAGED:
            continue
        cause = MovementCause.SALE if line.quantity > 0 else MovementCause.RETURN
        movements.append(
            LedgerMovement(
                warehouse_code=order.warehouse_code,
                product_code=line.product_code,
                cause=MovementCause.ABANDONED if abandoned else cause,
                quantity=-line.quantity,
            )
        )
    return movements


class BookedMovement(BaseModel):
    """A movement as the ledger keeps it: with its ticket's (or event's) business date and when
    its run journaled it, right after its ERP step (None: journaled before that was kept)."""

    model_config = ConfigDict(frozen=True)

    movement: LedgerMovement
    business_date: date
    booked_at: datetime | None


def movements_in_span(
    booked: Iterable[BookedMovement],
    *,
    since: date | None = None,
    through: date | None = None,
    opened_at: Mapping[LedgerKey, datetime] | None = None,
    closed_at: Mapping[LedgerKey, datetime] | None = None,
) -> list[LedgerMovement]:
    """The movements a span's opening does not hold and its closing does. A snapshot holds
    what was booked before it was taken, whatever the business date (an offline till's old
    ticket booked since is not in it; today's ticket booked before it is): so a movement
    counts when it was booked after the snapshot opening its warehouse and product
    (``opened_at``) and, when a snapshot closes the span, not after that one (``closed_at``).
    A movement with no booking time, or one of a product a snapshot lacks, is dated by its
    business date instead: from ``since`` through ``through``."""
    opened, closed = opened_at or {}, closed_at or {}

    def after_opening(row: BookedMovement) -> bool:
        taken = opened.get(row.movement.key)
        if row.booked_at is None or taken is None:
            return since is None or row.business_date >= since
        return row.booked_at > taken

    def before_closing(row: BookedMovement) -> bool:
        taken = closed.get(row.movement.key)
        if row.booked_at is None or taken is None:
            return through is None or row.business_date <= through
        return row.booked_at <= taken

    return [row.movement for row in booked if after_opening(row) and before_closing(row)]


class StockLedgerLine(BaseModel):
    warehouse_code: str
    product_code: str
    opening: Amount = Field(description="the ERP's available stock when the span opened")
    movements: dict[MovementCause, Amount] = Field(
        default_factory=dict, description="the sum of each cause's movements"
    )
    closing: Amount = Field(description="opening plus every movement")
    erp_on_hand: Amount
    erp_reserved: Amount = Field(description="reserved in the ERP, not issued yet")
    erp_available: Amount = Field(description="on-hand less reserved: what closing is set against")
    difference: Amount = Field(description="the ERP's available less the closing")

    @property
    def explained(self) -> bool:
        return self.difference == 0


def explain_stock(
    opening: Mapping[LedgerKey, Decimal],
    movements: Iterable[LedgerMovement],
    closing: Mapping[LedgerKey, StockLevel],
) -> list[StockLedgerLine]:
    """One line per warehouse and product that has an opening, a closing or a movement;
    ``opening``: the ERP's available then, ``closing``: its stock now."""
    by_cause: dict[LedgerKey, dict[MovementCause, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    for movement in movements:
        by_cause[movement.key][movement.cause] += movement.quantity
    lines = []
    for key in sorted(opening.keys() | closing.keys() | by_cause.keys()):
        start = opening.get(key, Decimal(0))
        moved = dict(by_cause.get(key, {}))
        expected = start + sum(moved.values(), Decimal(0))
        erp = closing.get(key)
        on_hand = erp.on_hand if erp else Decimal(0)
        available = erp.available if erp else Decimal(0)
        lines.append(
            StockLedgerLine(
                warehouse_code=key[0],
                product_code=key[1],
                opening=start,
                movements=moved,
                closing=expected,
                erp_on_hand=on_hand,
                erp_reserved=on_hand - available,
                erp_available=available,
                difference=available - expected,
            )
        )
    return lines
