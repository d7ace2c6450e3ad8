"""What tillsync asks an ERP to book for one POS transaction: an ERP-neutral sales order.

Built from a PosTransaction and its resolved mappings by pure rules (domain.order_plan); every
ERP connector turns it into its own documents. Unit prices here exclude tax; the POS's tax
amounts ride along so the connector can keep them rather than recompute.
"""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.erp_ids import ErpId
from domain.money import Amount
from domain.tax import TaxReconciliation
from domain.transaction import DiscountKind, ItemCondition, TenderType


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErpTax(_Frozen):
    erp_tax_code: str
    rate: Amount
    pos_amount: Amount = Field(description="the till's tax amount for this line: the truth")


class ErpProductLine(_Frozen):
    pos_line_number: int
    product_code: str
    description: str
    quantity: Amount = Field(description="in the ERP product's unit, signed; negative returns")
    unit_price: Amount = Field(description="net of tax, before discounts")
    net_amount: Amount = Field(description="quantity x unit price, rounded to the minor unit")
    taxes: list[ErpTax] = Field(default_factory=list)
    condition: ItemCondition | None = None
    return_of_transaction_id: str | None = None
    return_of_line_number: int | None = None
    return_of_reference: str | None = Field(
        default=None,
        description="the ERP reference the original sale was booked under (from the journal);"
        " None: an unreferenced return, booked at the product's current cost",
    )


class ErpDiscountLine(_Frozen):
    """A discount as its own order line (never a silent price change)."""

    kind: DiscountKind
    applies_to_line: int | None = Field(description="POS line number; None for the basket")
    description: str = Field(description="code, cashier and reason, for finance")
    net_amount: Amount = Field(description="negative: reduces revenue; net of tax")
    taxes: list[ErpTax] = Field(default_factory=list)


class ErpPayment(_Frozen):
    tender_type: TenderType
    amount: Amount = Field(description="net of change given")
    reference: str | None = None


class ErpOrder(_Frozen):
    reference: str = Field(description="idempotency key: the transaction's workflow id")
    transaction_id: str
    store_id: str
    terminal_id: str
    warehouse_code: str
    customer_code: str | None = Field(description="None: the ERP's cash-sale customer")
    sale_date: date
    currency: str
    product_lines: list[ErpProductLine]
    discount_lines: list[ErpDiscountLine] = Field(default_factory=list)
    payments: list[ErpPayment] = Field(default_factory=list)
    net_total: Amount
    tax_total: Amount
    gross_total: Amount
    description: str

    @property
    def returns_nothing(self) -> bool:
        """Whether the order only sells: daily posting books its stock as a reservation the
        day's posting issues (a return keeps its own document, linked to what it takes back)."""
        return all(line.quantity > 0 for line in self.product_lines)

    @property
    def lines_net_total(self) -> Decimal:
        return sum((line.net_amount for line in self.product_lines), Decimal(0)) + sum(
            (line.net_amount for line in self.discount_lines), Decimal(0)
        )


class ErpOrderRefs(BaseModel):
    """Where an order landed in the ERP; every field is filled as the saga advances."""

    reference: str
    sale_id: ErpId | None = None
    sale_number: str | None = None
    shipment_ids: list[ErpId] = Field(default_factory=list)
    invoice_id: ErpId | None = None
    invoice_number: str | None = None
    posting_date: date | None = None
    reserved_beyond_stock: bool = Field(
        default=False, description="the ERP counted too little stock; the reservation was forced"
    )
    return_shipment_ids: list[ErpId] = Field(default_factory=list)
    payment_move_ids: list[ErpId] = Field(
        default_factory=list, description="one ERP payment per tender, once paid"
    )
    customer_code: str | None = Field(
        default=None, description="the ERP customer the sale is booked to; None: cash sale"
    )
    unknown_customer: str | None = Field(
        default=None,
        description="the ticket's customer, which the ERP does not know: the sale was booked"
        " to the cash-sale customer instead",
    )

    def updated_by(self, later: "ErpOrderRefs") -> "ErpOrderRefs":
        """These refs with what a later step filled in (its empty fields change nothing)."""
        return self.model_copy(update={key: value for key, value in later if value})


class ErpPostingResult(BaseModel):
    refs: ErpOrderRefs
    net_total: Amount
    tax_total: Amount
    gross_total: Amount
    tax_adjustment: Amount = Decimal(0)
    reconciliation: TaxReconciliation | None = Field(
        default=None, description="the ERP's own net and taxes against the till's"
    )


class StockLevel(BaseModel):
    product_code: str
    warehouse_code: str
    on_hand: Amount = Field(description="physically in the warehouse")
    available: Amount = Field(description="on hand less what is reserved (assigned) for orders")
