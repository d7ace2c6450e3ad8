"""Canonical stock events beyond sales: transfers between stores and purchase-order receipts.

- ``transfer_dispatch``: the sending store's till confirms what left for another store.
- ``transfer_receipt``: the receiving store's till confirms what arrived (it may differ).
- ``purchase_receipt``: a store counted a supplier's delivery against the ERP's purchase order
  (lines may be short, over, or not on the order at all).

Each event is sent by one store (``store_id``: the sender of a dispatch, the receiver of a
receipt), which signs it at the ingest. Quantities are what was counted, in the till's unit,
never negative; a receipt may confirm zero of a line that never came. Every field is bounded
like a ticket's (``domain.fields``).
"""

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from domain.fields import BusinessDate, Code, Key, LineNumber, ProductCode, Quantity, TillClock
from domain.ids import stock_event_workflow_id, transfer_reference
from domain.limits import MAX_LINES


class StockEventType(StrEnum):
    TRANSFER_DISPATCH = "transfer_dispatch"
    TRANSFER_RECEIPT = "transfer_receipt"
    PURCHASE_RECEIPT = "purchase_receipt"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StockLine(_Strict):
    line_number: LineNumber
    sku: ProductCode | None = None
    barcode: ProductCode | None = None
    quantity: Quantity = Field(ge=0, description="counted, in the till's unit")
    unit: Code = "unit"

    @model_validator(mode="after")
    def _identified(self) -> Self:
        if not (self.sku or self.barcode):
            raise ValueError("a line needs a sku or a barcode")
        return self

    @property
    def code(self) -> str:
        return self.sku or self.barcode or ""


class _StockEventBase(_Strict):
    event_id: Key = Field(description="the till's own unique id of this event")
    store_id: Key = Field(description="the store that confirms the event (and signs it)")
    terminal_id: Key
    business_date: BusinessDate
    occurred_at: TillClock
    cashier_id: Code | None = None
    lines: list[StockLine] = Field(min_length=1, max_length=MAX_LINES)

    @model_validator(mode="after")
    def _unique_lines(self) -> Self:
        numbers = [line.line_number for line in self.lines]
        if len(numbers) != len(set(numbers)):
            raise ValueError("line_number values must be unique within an event")
        return self

    @property
    def event_type(self) -> StockEventType:
        raise NotImplementedError

    @property
    def dedupe_key(self) -> str:
        """What makes the event unique for its store and type: a transfer is dispatched and
        received once, whatever event ids the tills give; a purchase receipt is its event."""
        return self.event_id

    @property
    def workflow_id(self) -> str:
        return stock_event_workflow_id(self.event_type.value, self.store_id, self.dedupe_key)


class TransferDispatch(_StockEventBase):
    type: Literal["transfer_dispatch"] = "transfer_dispatch"
    transfer_id: Key = Field(description="the transfer both stores' events name")
    to_store_id: Key

    @model_validator(mode="after")
    def _two_stores(self) -> Self:
        if self.to_store_id == self.store_id:
            raise ValueError("a transfer goes to another store")
        if not any(line.quantity > 0 for line in self.lines):
            raise ValueError("a dispatch sends something: every quantity is zero")
        return self

    @property
    def event_type(self) -> StockEventType:
        return StockEventType.TRANSFER_DISPATCH

    @property
    def from_store_id(self) -> str:
        return self.store_id

    @property
    def dedupe_key(self) -> str:
        return self.transfer_id

    @property
    def transfer_reference(self) -> str:
        return transfer_reference(self.store_id, self.transfer_id)


class TransferReceipt(_StockEventBase):
    type: Literal["transfer_receipt"] = "transfer_receipt"
    transfer_id: Key
    from_store_id: Key

    @model_validator(mode="after")
    def _two_stores(self) -> Self:
        if self.from_store_id == self.store_id:
            raise ValueError("a transfer comes from another store")
        return self

    @property
    def event_type(self) -> StockEventType:
        return StockEventType.TRANSFER_RECEIPT

    @property
    def to_store_id(self) -> str:
        return self.store_id

    @property
    def dedupe_key(self) -> str:
        return self.transfer_id

    @property
    def transfer_reference(self) -> str:
        return transfer_reference(self.from_store_id, self.transfer_id)


class PurchaseReceipt(_StockEventBase):
    type: Literal["purchase_receipt"] = "purchase_receipt"
    purchase_order: Code = Field(description="the ERP purchase order's number")
    delivery_note: Code | None = Field(default=None, description="the supplier's note number")

    @property
    def event_type(self) -> StockEventType:
        return StockEventType.PURCHASE_RECEIPT


StockEvent = Annotated[
    TransferDispatch | TransferReceipt | PurchaseReceipt, Field(discriminator="type")
]
"""One canonical stock event; ``type`` says which."""

AnyStockEvent = TransferDispatch | TransferReceipt | PurchaseReceipt

STOCK_EVENT_ADAPTER: TypeAdapter[AnyStockEvent] = TypeAdapter(StockEvent)
"""Validates one stock event of any type: ``STOCK_EVENT_ADAPTER.validate_python(record)``."""
