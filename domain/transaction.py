"""The canonical POS transaction every POS adapter produces.

Quantities are signed: a sold item has a positive quantity, a returned item a negative one, so
an exchange is one ticket whose lines carry both signs. Amounts follow the quantities' sign.
Unit prices are what the till rang: tax-inclusive when ``prices_include_tax`` is true.
"""

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from domain.fields import (
    BusinessDate,
    Code,
    Key,
    LineNumber,
    Money,
    PlainKey,
    ProductCode,
    Quantity,
    Rate,
    SequenceNumber,
    Text,
    TillClock,
)
from domain.ids import transaction_workflow_id
from domain.limits import (
    MAX_BASKET_DISCOUNTS,
    MAX_ERP_ORDER_LINES,
    MAX_LINES,
    MAX_MONEY,
    MAX_TAXES_PER_LINE,
    MAX_TENDERS,
)

Identifier = PlainKey


class TransactionKind(StrEnum):
    SALE = "sale"
    RETURN = "return"
    EXCHANGE = "exchange"


class TransactionStatus(StrEnum):
    COMPLETED = "completed"
    PENDING = "pending"
    SUSPENDED = "suspended"
    VOIDED = "voided"


class DiscountKind(StrEnum):
    PROMOTION = "promotion"
    MANUAL_OVERRIDE = "manual_override"
    LOYALTY = "loyalty"
    COUPON = "coupon"


class ItemCondition(StrEnum):
    RESALEABLE = "resaleable"
    DAMAGED = "damaged"


class TenderType(StrEnum):
    CASH = "cash"
    CARD = "card"
    GIFT_CARD = "gift_card"
    VOUCHER = "voucher"
    STORE_CREDIT = "store_credit"
    OTHER = "other"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Discount(_Strict):
    """A reduction the till applied. ``amount`` is positive and reduces the line or basket."""

    kind: DiscountKind
    amount: Money = Field(gt=0)
    code: Code | None = Field(default=None, description="promotion or coupon code")
    cashier_id: Code | None = Field(default=None, description="who overrode the price")
    reason: Text | None = Field(default=None, description="why the price was overridden")
    description: Text | None = None

    @model_validator(mode="after")
    def _kind_has_its_details(self) -> Self:
        if self.kind in (DiscountKind.PROMOTION, DiscountKind.COUPON) and not self.code:
            raise ValueError(f"a {self.kind.value} discount needs its code")
        if self.kind is DiscountKind.MANUAL_OVERRIDE and not (self.cashier_id and self.reason):
            raise ValueError("a manual_override discount needs cashier_id and reason")
        return self


class LineTax(_Strict):
    """A tax the till computed on a line; its amount is the truth the ERP must keep."""

    code: Code
    rate: Rate
    amount: Money


class ReturnReference(_Strict):
    transaction_id: Key
    line_number: LineNumber
    store_id: Key | None = None
    terminal_id: Key | None = None


class PosLine(_Strict):
    line_number: LineNumber
    sku: ProductCode | None = None
    barcode: ProductCode | None = None
    description: Text | None = None
    quantity: Quantity = Field(description="signed: negative for a returned item")
    unit: Code = "unit"
    unit_price: Money = Field(ge=0)
    taxes: list[LineTax] = Field(default_factory=list, max_length=MAX_TAXES_PER_LINE)
    discounts: list[Discount] = Field(default_factory=list)
    return_of: ReturnReference | None = None
    condition: ItemCondition | None = None

    @model_validator(mode="after")
    def _identified_and_signed(self) -> Self:
        if not (self.sku or self.barcode):
            raise ValueError("a line needs a sku or a barcode")
        if self.quantity == 0:
            raise ValueError("quantity must not be zero")
        if self.quantity > 0 and (self.return_of or self.condition):
            raise ValueError("return_of and condition belong on returned lines (negative quantity)")
        if abs(self.extended_amount) >= MAX_MONEY:
            raise ValueError(f"quantity x unit_price must be below {MAX_MONEY:,}")
        return self

    @property
    def is_return(self) -> bool:
        return self.quantity < 0

    @property
    def extended_amount(self) -> Decimal:
        """Quantity times price, before discounts, unrounded; signed like the quantity."""
        return self.quantity * self.unit_price

    @property
    def discount_total(self) -> Decimal:
        """Total line discount, signed like the quantity (a returned line gives discounts back)."""
        total = sum((discount.amount for discount in self.discounts), Decimal(0))
        return -total if self.is_return else total

    @property
    def tax_total(self) -> Decimal:
        return sum((tax.amount for tax in self.taxes), Decimal(0))


class Tender(_Strict):
    type: TenderType
    amount: Money = Field(description="what was handed over; negative for a refund")
    change: Money = Field(default=Decimal(0), ge=0, description="change given back on cash")
    reference: Code | None = Field(default=None, description="masked reference only")

    @model_validator(mode="after")
    def _change_on_cash(self) -> Self:
        if self.change and self.type is not TenderType.CASH:
            raise ValueError("only a cash tender gives change")
        return self

    @property
    def net_amount(self) -> Decimal:
        return self.amount - self.change


class Totals(_Strict):
    net: Money
    tax: Money
    gross: Money


class Customer(_Strict):
    customer_id: Code
    tax_country: str | None = Field(default=None, min_length=2, max_length=2)


class PosTransaction(_Strict):
    """One ticket as the till recorded it."""

    transaction_id: Key
    store_id: Key
    terminal_id: Key
    receipt_number: SequenceNumber = Field(description="per-terminal sequence, for gap detection")
    business_date: BusinessDate
    occurred_at: TillClock = Field(description="the till's clock, kept as recorded")
    cashier_id: Code | None = None
    offline: bool = False
    kind: TransactionKind = TransactionKind.SALE
    status: TransactionStatus = TransactionStatus.COMPLETED
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    prices_include_tax: bool
    customer: Customer | None = None
    lines: list[PosLine] = Field(min_length=1, max_length=MAX_LINES)
    discounts: list[Discount] = Field(
        default_factory=list, max_length=MAX_BASKET_DISCOUNTS, description="basket level"
    )
    tenders: list[Tender] = Field(default_factory=list, max_length=MAX_TENDERS)
    totals: Totals

    @model_validator(mode="after")
    def _consistent_lines(self) -> Self:
        numbers = [line.line_number for line in self.lines]
        if len(numbers) != len(set(numbers)):
            raise ValueError("line_number values must be unique within a transaction")
        if self.erp_order_line_count > MAX_ERP_ORDER_LINES:
            raise ValueError(
                f"the ticket would book {self.erp_order_line_count} ERP order lines (lines, line"
                f" discounts, basket discounts per tax group); at most {MAX_ERP_ORDER_LINES}"
            )
        has_sales = any(not line.is_return for line in self.lines)
        has_returns = any(line.is_return for line in self.lines)
        expected = {
            TransactionKind.SALE: (True, False),
            TransactionKind.RETURN: (False, True),
            TransactionKind.EXCHANGE: (True, True),
        }[self.kind]
        if (has_sales, has_returns) != expected:
            raise ValueError(
                f"a {self.kind.value} has "
                + {
                    TransactionKind.SALE: "only positive quantities",
                    TransactionKind.RETURN: "only negative quantities",
                    TransactionKind.EXCHANGE: "both sold (positive) and returned (negative) lines",
                }[self.kind]
            )
        return self

    @property
    def is_complete(self) -> bool:
        return self.status is TransactionStatus.COMPLETED

    @property
    def workflow_id(self) -> str:
        return transaction_workflow_id(self.store_id, self.terminal_id, self.transaction_id)

    @property
    def erp_order_line_count(self) -> int:
        """Order lines the plan books: each line, each line discount, and each basket discount
        once per tax group of the sold lines (``domain.order_plan``)."""
        tax_groups = {
            tuple(sorted(tax.code for tax in line.taxes))
            for line in self.lines
            if not line.is_return
        }
        return (
            len(self.lines)
            + sum(len(line.discounts) for line in self.lines)
            + len(self.discounts) * len(tax_groups)
        )
