"""The stock ledger per warehouse (a store's stock) and product, explained by what tillsync
booked: sales and returns from the tills, transfers out and in, and supplier receipts.

Each booked event leaves signed movements (into the warehouse positive). Over a span, the
ERP's on-hand at its end should be the on-hand at its start plus those movements; a
difference is stock that moved outside tillsync (an inventory count, a manual move) or that
tillsync booked and the ERP lost. Damaged returns go to the damaged-goods location, which is
not the store's sellable stock, so they are not in its ledger; what a short transfer left in
transit is in neither store's.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.erp_order import ErpOrder
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


def order_movements(order: ErpOrder) -> list[LedgerMovement]:
    """What a ticket's booked order moved: sold goods out, resaleable returns back in."""
    movements = []
    for line in order.product_lines:
        if line.quantity < 0 and line.condition is ItemCondition.DAMAGED:
            continue
        movements.append(
            LedgerMovement(
                warehouse_code=order.warehouse_code,
                product_code=line.product_code,
                cause=MovementCause.SALE if line.quantity > 0 else MovementCause.RETURN,
                quantity=-line.quantity,
            )
        )
    return movements


class StockLedgerLine(BaseModel):
    warehouse_code: str
    product_code: str
    opening: Amount
    movements: dict[MovementCause, Amount] = Field(
        default_factory=dict, description="the sum of each cause's movements"
    )
    expected: Amount = Field(description="opening plus every movement")
    erp_on_hand: Amount
    difference: Amount = Field(description="the ERP's on-hand less the expected")

    @property
    def explained(self) -> bool:
        return self.difference == 0


def explain_stock(
    opening: Mapping[LedgerKey, Decimal],
    movements: Iterable[LedgerMovement],
    closing: Mapping[LedgerKey, Decimal],
) -> list[StockLedgerLine]:
    """One line per warehouse and product that has an opening, a closing or a movement."""
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
        on_hand = closing.get(key, Decimal(0))
        lines.append(
            StockLedgerLine(
                warehouse_code=key[0],
                product_code=key[1],
                opening=start,
                movements=moved,
                expected=expected,
                erp_on_hand=on_hand,
                difference=on_hand - expected,
            )
        )
    return lines
