"""The store's tables: dedupe claims, the journal (audit trail), exceptions and mappings."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.limits import MAX_WORKFLOW_ID_LENGTH

MONEY = Numeric(18, 4)


class TransactionClaim(SQLModel, table=True):
    """The store's own dedupe record: outlives Temporal's retention of workflow ids."""

    __tablename__ = "transaction_claims"
    __table_args__ = (UniqueConstraint("store_id", "terminal_id", "transaction_id"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64)
    terminal_id: str = Field(max_length=64)
    transaction_id: str = Field(max_length=64)
    workflow_id: str = Field(max_length=MAX_WORKFLOW_ID_LENGTH, index=True)
    submission_id: str = Field(max_length=64)
    payload_hash: str = Field(max_length=64)
    claimed_at: datetime


class DuplicateSubmission(SQLModel, table=True):
    """Every time a transaction arrived again: an append-only log, counted per transaction."""

    __tablename__ = "duplicate_submissions"

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64)
    terminal_id: str = Field(max_length=64)
    transaction_id: str = Field(max_length=64, index=True)
    workflow_id: str = Field(max_length=MAX_WORKFLOW_ID_LENGTH)
    detected_by: str = Field(max_length=16, description="starter or workflow")
    seen_at: datetime


class JournalEntry(SQLModel, table=True):
    """How a transaction ended, with its ERP references and amounts."""

    __tablename__ = "journal_entries"
    __table_args__ = (UniqueConstraint("workflow_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(max_length=MAX_WORKFLOW_ID_LENGTH)
    transaction_id: str = Field(max_length=64)
    store_id: str = Field(max_length=64, index=True)
    terminal_id: str = Field(max_length=64)
    receipt_number: int
    business_date: date = Field(index=True)
    kind: str = Field(max_length=16)
    status: str = Field(max_length=16)
    outcome: str = Field(max_length=16, index=True)
    currency: str = Field(max_length=3)
    net_total: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    tax_total: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    gross_total: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    erp_reference: str | None = Field(default=None, max_length=220, index=True)
    erp_sale_id: str | None = Field(default=None, max_length=64)
    erp_sale_number: str | None = Field(default=None, max_length=64)
    erp_invoice_id: str | None = Field(default=None, max_length=64)
    erp_invoice_number: str | None = Field(default=None, max_length=64)
    posting_date: date | None = None
    posting_mode: str | None = Field(default=None, max_length=16, description="PostingMode")
    breakdown: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="tax by rate, tenders, discounts, ERP booking: domain.breakdown",
    )
    consolidation_id: int | None = Field(
        default=None, index=True, description="the daily consolidated posting that booked it"
    )
    note: str | None = None
    recorded_at: datetime


class SyncException(SQLModel, table=True):
    """Something a person must look at: unmapped codes, ERP refusals, mismatches, gaps."""

    __tablename__ = "sync_exceptions"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)
    owner: str = Field(max_length=16)
    state: str = Field(default="open", max_length=16, index=True)
    workflow_id: str | None = Field(default=None, max_length=MAX_WORKFLOW_ID_LENGTH, index=True)
    store_id: str = Field(max_length=64, index=True)
    terminal_id: str | None = Field(default=None, max_length=64)
    transaction_id: str | None = Field(default=None, max_length=64)
    business_date: date | None = None
    message: str
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    opened_at: datetime
    resolved_at: datetime | None = None
    resolution: str | None = None


class Mapping(SQLModel, table=True):
    """One POS code -> ERP code translation (see domain.mapping.MappingRow)."""

    __tablename__ = "mappings"
    __table_args__ = (
        UniqueConstraint("kind", "store_id", "terminal_id", "pos_code"),
        Index("ix_mappings_kind_pos_code", "kind", "pos_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    store_id: str = Field(default="", max_length=64)
    terminal_id: str = Field(default="", max_length=64)
    pos_code: str = Field(default="", max_length=64)
    erp_code: str = Field(max_length=64)
    factor: Decimal = Field(default=Decimal(1), sa_column=Column(MONEY, nullable=False))


class ReceiptSeen(SQLModel, table=True):
    """A receipt number a terminal issued and tillsync received (for receipt-gap detection)."""

    __tablename__ = "receipts_seen"
    __table_args__ = (UniqueConstraint("store_id", "terminal_id", "receipt_number"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64)
    terminal_id: str = Field(max_length=64)
    receipt_number: int
    transaction_id: str = Field(max_length=64)
    seen_at: datetime


class PeriodClose(SQLModel, table=True):
    """A period finance is closing or has closed: postings dated in it re-date forward."""

    __tablename__ = "period_closes"
    __table_args__ = (UniqueConstraint("company_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int
    period: str = Field(max_length=16, description="YYYY-MM, as finance names it")
    start_date: date
    end_date: date
    state: str = Field(max_length=16, index=True, description="closing/closed/aborted/reopened")
    workflow_id: str | None = Field(default=None, max_length=MAX_WORKFLOW_ID_LENGTH)
    marked_at: datetime
    closed_at: datetime | None = None
    note: str | None = None
    reconciliation: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ConsolidatedPosting(SQLModel, table=True):
    """One daily consolidated journal entry (a batch) of a store's business day."""

    __tablename__ = "consolidated_postings"
    __table_args__ = (UniqueConstraint("batch_key"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_key: str = Field(max_length=200)
    store_id: str = Field(max_length=64, index=True)
    business_date: date = Field(index=True)
    currency: str = Field(max_length=3)
    state: str = Field(max_length=16, index=True, description="pending, then posted")
    ticket_count: int
    gross_total: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    totals: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    erp_move_id: str | None = Field(default=None, max_length=64)
    erp_move_number: str | None = Field(default=None, max_length=64)
    posting_date: date | None = None
    cost_of_goods: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    created_at: datetime
    posted_at: datetime | None = None


class StockEventClaim(SQLModel, table=True):
    """Dedupe of stock events (transfers, receipts): each (type, store, event) claimed once."""

    __tablename__ = "stock_event_claims"
    __table_args__ = (UniqueConstraint("event_type", "store_id", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_type: str = Field(max_length=32)
    store_id: str = Field(max_length=64)
    event_id: str = Field(max_length=64)
    workflow_id: str = Field(max_length=200, index=True)
    submission_id: str = Field(max_length=64)
    payload_hash: str = Field(max_length=64)
    claimed_at: datetime


class StockEventRecord(SQLModel, table=True):
    """How a stock event ended: what it moved, where, and under which ERP document."""

    __tablename__ = "stock_event_journal"
    __table_args__ = (UniqueConstraint("workflow_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(max_length=200)
    event_type: str = Field(max_length=32, index=True)
    event_id: str = Field(max_length=64)
    store_id: str = Field(max_length=64, index=True)
    business_date: date = Field(index=True)
    outcome: str = Field(max_length=16, index=True)
    erp_reference: str | None = Field(default=None, max_length=220, index=True)
    erp_shipment_id: str | None = Field(default=None, max_length=64)
    note: str | None = None
    recorded_at: datetime


class StockChange(SQLModel, table=True):
    """A store's stock changed for these SKUs (the hook available-to-sell pushes plug into)."""

    __tablename__ = "stock_changes"

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64, index=True)
    product_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cause: str = Field(max_length=200, description="the workflow id that changed it")
    changed_at: datetime


class StockLedgerRow(SQLModel, table=True):
    """One movement a booked ticket or stock event made (domain.stock_ledger)."""

    __tablename__ = "stock_ledger"

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(max_length=200, index=True)
    store_id: str = Field(max_length=64, index=True)
    business_date: date = Field(index=True)
    warehouse_code: str = Field(max_length=64, index=True)
    product_code: str = Field(max_length=64)
    cause: str = Field(max_length=16)
    quantity: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    booked_at: datetime | None = Field(
        default=None,
        index=True,
        description="when the run journaled it, right after its ERP step: where the ledger sets"
        " it against a snapshot; None: journaled before this was kept (before migration 0006)",
    )


class StoreSyncMark(SQLModel, table=True):
    """Per store: the till time of the newest ticket seen and of the newest posted, and when
    each arrived (sync lag and silent stores, read by the metrics at scrape time)."""

    __tablename__ = "store_sync_marks"

    store_id: str = Field(primary_key=True, max_length=64)
    newest_seen_till_time: datetime
    first_seen_till_time: datetime
    last_seen_at: datetime
    newest_posted_till_time: datetime | None = None
    last_posted_at: datetime | None = None


class TicketFacts(SQLModel, table=True):
    """What the anomaly flags and KPIs read about a journaled ticket beyond its journal row:
    who rang it, when by the till, and the refunds, overrides and products in it."""

    __tablename__ = "ticket_facts"
    __table_args__ = (UniqueConstraint("workflow_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(max_length=MAX_WORKFLOW_ID_LENGTH)
    store_id: str = Field(max_length=64, index=True)
    business_date: date = Field(index=True)
    cashier_id: str | None = Field(default=None, max_length=64)
    occurred_at: datetime
    outcome: str = Field(max_length=16)
    refund_lines: int = 0
    manual_overrides: int = 0
    unreferenced_return_lines: int = 0
    products: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="ERP product codes sold (quantity above zero)",
    )
