"""Baseline: the store as the release before migrations created it (``create_all`` of its
tables). A store of that release has these tables and no ``alembic_version``: ``store.schema``
stamps it at this revision instead of running it.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consolidated_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_key", sa.String(length=200), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("ticket_count", sa.Integer(), nullable=False),
        sa.Column("gross_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("erp_move_id", sa.Integer(), nullable=True),
        sa.Column("erp_move_number", sa.String(length=64), nullable=True),
        sa.Column("posting_date", sa.Date(), nullable=True),
        sa.Column("cost_of_goods", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_key"),
    )
    op.create_index(
        op.f("ix_consolidated_postings_business_date"),
        "consolidated_postings",
        ["business_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_consolidated_postings_state"), "consolidated_postings", ["state"], unique=False
    )
    op.create_index(
        op.f("ix_consolidated_postings_store_id"),
        "consolidated_postings",
        ["store_id"],
        unique=False,
    )
    op.create_table(
        "duplicate_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("detected_by", sa.String(length=16), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_duplicate_submissions_transaction_id"),
        "duplicate_submissions",
        ["transaction_id"],
        unique=False,
    )
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("receipt_number", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("gross_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("erp_reference", sa.String(length=220), nullable=True),
        sa.Column("erp_sale_id", sa.Integer(), nullable=True),
        sa.Column("erp_sale_number", sa.String(length=64), nullable=True),
        sa.Column("erp_invoice_id", sa.Integer(), nullable=True),
        sa.Column("erp_invoice_number", sa.String(length=64), nullable=True),
        sa.Column("posting_date", sa.Date(), nullable=True),
        sa.Column("posting_mode", sa.String(length=16), nullable=True),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("consolidation_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workflow_id"),
    )
    op.create_index(
        op.f("ix_journal_entries_business_date"), "journal_entries", ["business_date"], unique=False
    )
    op.create_index(
        op.f("ix_journal_entries_consolidation_id"),
        "journal_entries",
        ["consolidation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_journal_entries_erp_reference"), "journal_entries", ["erp_reference"], unique=False
    )
    op.create_index(
        op.f("ix_journal_entries_outcome"), "journal_entries", ["outcome"], unique=False
    )
    op.create_index(
        op.f("ix_journal_entries_store_id"), "journal_entries", ["store_id"], unique=False
    )
    op.create_table(
        "mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("pos_code", sa.String(length=64), nullable=False),
        sa.Column("erp_code", sa.String(length=64), nullable=False),
        sa.Column("factor", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "store_id", "terminal_id", "pos_code"),
    )
    op.create_table(
        "period_closes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("reconciliation", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "period"),
    )
    op.create_index(op.f("ix_period_closes_state"), "period_closes", ["state"], unique=False)
    op.create_table(
        "receipts_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("receipt_number", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("store_id", "terminal_id", "receipt_number"),
    )
    op.create_table(
        "sync_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=True),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=True),
        sa.Column("transaction_id", sa.String(length=64), nullable=True),
        sa.Column("business_date", sa.Date(), nullable=True),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sync_exceptions_kind"), "sync_exceptions", ["kind"], unique=False)
    op.create_index(op.f("ix_sync_exceptions_state"), "sync_exceptions", ["state"], unique=False)
    op.create_index(
        op.f("ix_sync_exceptions_store_id"), "sync_exceptions", ["store_id"], unique=False
    )
    op.create_index(
        op.f("ix_sync_exceptions_workflow_id"), "sync_exceptions", ["workflow_id"], unique=False
    )
    op.create_table(
        "transaction_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("submission_id", sa.String(length=64), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("store_id", "terminal_id", "transaction_id"),
    )
    op.create_index(
        op.f("ix_transaction_claims_workflow_id"),
        "transaction_claims",
        ["workflow_id"],
        unique=False,
    )


def downgrade() -> None:
    # A table's indexes go with it.
    for table in (
        "transaction_claims",
        "sync_exceptions",
        "receipts_seen",
        "period_closes",
        "mappings",
        "journal_entries",
        "duplicate_submissions",
        "consolidated_postings",
    ):
        op.drop_table(table)
