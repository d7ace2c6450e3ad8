"""Where a transaction's saga stands, how it ended, and what went wrong."""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.erp_order import ErpOrderRefs
from domain.transaction import PosTransaction


class SyncStage(StrEnum):
    RECEIVED = "received"
    SCREENING = "screening"
    MAPPING = "mapping"
    RESERVING = "reserving"
    POSTING = "posting"
    COMMITTING = "committing"
    JOURNALING = "journaling"
    WAITING_ORIGINAL = "waiting_original"
    PAYING = "paying"
    COMPENSATING = "compensating"
    RESUMING = "resuming"
    """An operator's retry or abandon reached the parked run, which is acting on it."""
    PARKED = "parked"
    POSTED = "posted"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    ABANDONED = "abandoned"

    @property
    def is_settled(self) -> bool:
        """Nothing more happens without an operator: finished, or parked waiting for one."""
        return self in _SETTLED


_SETTLED = {
    SyncStage.PARKED,
    SyncStage.POSTED,
    SyncStage.IGNORED,
    SyncStage.DUPLICATE,
    SyncStage.ABANDONED,
}


class Outcome(StrEnum):
    POSTED = "posted"
    PARKED = "parked"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    ABANDONED = "abandoned"


class ExceptionKind(StrEnum):
    UNMAPPED_LOCATION = "unmapped_location"
    UNMAPPED_SKU = "unmapped_sku"
    TOTALS_MISMATCH = "totals_mismatch"
    TAX_ROUNDING = "tax_rounding"
    UNREFERENCED_RETURN = "unreferenced_return"
    PERIOD_REDATED = "period_redated"
    ERP_REJECTED = "erp_rejected"
    ERP_UNAVAILABLE = "erp_unavailable"
    DUPLICATE = "duplicate"
    RECEIPT_GAP = "receipt_gap"
    RECEIPT_JUMP = "receipt_jump"
    """a terminal's numbering jumped too far to be tickets that went missing"""
    NEGATIVE_STOCK = "negative_stock"
    RETURN_REFUSED = "return_refused"
    ORIGINAL_MISSING = "original_missing"
    INTERNAL_ERROR = "internal_error"
    CANCELLED = "cancelled"
    """the run was cancelled while a stage waited on the ERP: it parked instead of ending"""
    UNMAPPED_TAX = "unmapped_tax"
    """the ERP has no tax by the name the till's tax code maps to"""
    UNKNOWN_CUSTOMER = "unknown_customer"
    """the ticket's (loyalty) customer is no ERP party: booked to the cash-sale customer, or
    parked (TILLSYNC_UNKNOWN_CUSTOMER)"""
    UNKNOWN_PAYMENT_METHOD = "unknown_payment_method"
    UNKNOWN_CURRENCY = "unknown_currency"
    ERP_SETUP_MISSING = "erp_setup_missing"
    """another record the ERP must hold (an account, a sequence, a damaged-goods location)"""
    TRANSFER_SHORT = "transfer_short"
    """a transfer's receipt counted less than was dispatched"""
    TRANSFER_OVER = "transfer_over"
    """a transfer's receipt counted more than was dispatched, or an item never dispatched"""
    DISPATCH_MISSING = "dispatch_missing"
    """a transfer's receipt waited in vain for its dispatch"""
    RECEIPT_SHORT = "receipt_short"
    """a purchase-order line delivered short: the rest stays on order"""
    RECEIPT_OVER = "receipt_over"
    """a purchase-order line delivered beyond what was still on order"""
    RECEIPT_UNORDERED = "receipt_unordered"
    """an item delivered that the purchase order does not hold"""
    PURCHASE_ORDER_UNKNOWN = "purchase_order_unknown"
    """the ERP has no open purchase order by that number for the store's warehouse"""
    TILL_PUBLISH_FAILED = "till_publish_failed"
    """a store's webhook refused or missed master data after every retry (it is sent again)"""
    """tillsync's own workflow code failed (a defect): parked until a fix is deployed"""

    @property
    def owner(self) -> "ExceptionOwner":
        return _OWNERS[self]

    @property
    def is_review_record(self) -> bool:
        """Written for a person to review while the posting went ahead (never parks a run)."""
        return self in _REVIEW_RECORDS


_REVIEW_RECORDS = {
    ExceptionKind.TAX_ROUNDING,
    ExceptionKind.UNREFERENCED_RETURN,
    ExceptionKind.PERIOD_REDATED,
    ExceptionKind.NEGATIVE_STOCK,
    ExceptionKind.TRANSFER_SHORT,
    ExceptionKind.TRANSFER_OVER,
    ExceptionKind.RECEIPT_SHORT,
    ExceptionKind.RECEIPT_OVER,
    ExceptionKind.RECEIPT_UNORDERED,
}


class ExceptionOwner(StrEnum):
    STORE_OPS = "store_ops"
    FINANCE = "finance"
    IT = "it"
    INVENTORY = "inventory"


_OWNERS = {
    ExceptionKind.UNMAPPED_LOCATION: ExceptionOwner.IT,
    ExceptionKind.UNMAPPED_SKU: ExceptionOwner.IT,
    ExceptionKind.TOTALS_MISMATCH: ExceptionOwner.STORE_OPS,
    ExceptionKind.TAX_ROUNDING: ExceptionOwner.FINANCE,
    ExceptionKind.UNREFERENCED_RETURN: ExceptionOwner.STORE_OPS,
    ExceptionKind.PERIOD_REDATED: ExceptionOwner.FINANCE,
    ExceptionKind.ERP_REJECTED: ExceptionOwner.IT,
    ExceptionKind.ERP_UNAVAILABLE: ExceptionOwner.IT,
    ExceptionKind.DUPLICATE: ExceptionOwner.STORE_OPS,
    ExceptionKind.RECEIPT_GAP: ExceptionOwner.STORE_OPS,
    ExceptionKind.RECEIPT_JUMP: ExceptionOwner.STORE_OPS,
    ExceptionKind.NEGATIVE_STOCK: ExceptionOwner.STORE_OPS,
    ExceptionKind.RETURN_REFUSED: ExceptionOwner.STORE_OPS,
    ExceptionKind.ORIGINAL_MISSING: ExceptionOwner.STORE_OPS,
    ExceptionKind.INTERNAL_ERROR: ExceptionOwner.IT,
    ExceptionKind.CANCELLED: ExceptionOwner.IT,
    ExceptionKind.UNMAPPED_TAX: ExceptionOwner.IT,
    ExceptionKind.UNKNOWN_CUSTOMER: ExceptionOwner.STORE_OPS,
    ExceptionKind.UNKNOWN_PAYMENT_METHOD: ExceptionOwner.IT,
    ExceptionKind.UNKNOWN_CURRENCY: ExceptionOwner.FINANCE,
    ExceptionKind.ERP_SETUP_MISSING: ExceptionOwner.IT,
    ExceptionKind.TRANSFER_SHORT: ExceptionOwner.INVENTORY,
    ExceptionKind.TRANSFER_OVER: ExceptionOwner.INVENTORY,
    ExceptionKind.DISPATCH_MISSING: ExceptionOwner.INVENTORY,
    ExceptionKind.RECEIPT_SHORT: ExceptionOwner.INVENTORY,
    ExceptionKind.RECEIPT_OVER: ExceptionOwner.INVENTORY,
    ExceptionKind.RECEIPT_UNORDERED: ExceptionOwner.INVENTORY,
    ExceptionKind.PURCHASE_ORDER_UNKNOWN: ExceptionOwner.INVENTORY,
    ExceptionKind.TILL_PUBLISH_FAILED: ExceptionOwner.IT,
}


class ExceptionReport(BaseModel):
    """What an exception record says: its kind, a message for people, and the details."""

    kind: ExceptionKind
    message: str
    details: dict[str, str] = Field(default_factory=dict)


class BusinessFailure(ExceptionReport):
    """Why a saga parked: raised by an activity as a non-retryable error, kept in the query."""


class ReviewNotice(ExceptionReport):
    """Something handled that a person should review (a tax rounding adjusted, a posting
    re-dated): recorded, never parks a run. The same fields as a failure on the wire."""


class Submission(BaseModel):
    """The workflow's input: the transaction and the submission that claims it.

    ``submission_id`` tells a reset (same input, same id) from a second submission of the
    same transaction after Temporal forgot the workflow id (a new id): see store dedupe.
    """

    transaction: PosTransaction
    submission_id: str
    submitted_at: datetime
    original_wait: timedelta = Field(
        default=timedelta(days=3),
        description="how long a return waits for its original sale before it parks",
    )
    patch_bundle: str | None = Field(
        default=None,
        max_length=64,
        description="the newest patch bundle of the code that started the run"
        " (workflows/patches.py): the run takes it without recording a marker",
    )


class SyncStatus(BaseModel):
    """What the ``status`` query and ``wait_settled`` update return."""

    workflow_id: str
    transaction_id: str
    stage: SyncStage
    outcome: Outcome | None = None
    erp: ErpOrderRefs | None = None
    failure: BusinessFailure | None = None
    attempts: int = 1
