"""note the returns waiting for their original sale

A return replayed before its original is woken when the original is posted
(store/original_waiters.py), not at its next recheck.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 04:43:59.170707
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "original_waiters",
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("waiter_workflow_id", sa.String(length=200), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "transaction_id", "waiter_workflow_id"),
    )


def downgrade() -> None:
    op.drop_table("original_waiters")
