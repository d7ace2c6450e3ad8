"""ERP document ids as opaque strings

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 08:22:45.516543

The ERP's ids of sales, invoices, consolidated moves and shipments were Tryton's integers;
they are strings now, as every ERP connector names its documents. Stored ids keep their
value in its string form (12 -> '12'). Downgrading needs every stored id to be a number.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ERP_ID_COLUMNS = {
    "consolidated_postings": ["erp_move_id"],
    "journal_entries": ["erp_sale_id", "erp_invoice_id"],
    "stock_event_journal": ["erp_shipment_id"],
}


def _retype(old: sa.types.TypeEngine[Any], new: sa.types.TypeEngine[Any]) -> None:
    cast = "varchar(64)" if isinstance(new, sa.String) else "integer"
    schema = sa.inspect(op.get_bind())
    tables = set(schema.get_table_names())
    for table, columns in ERP_ID_COLUMNS.items():
        held = (
            {column["name"] for column in schema.get_columns(table)} if table in tables else set()
        )
        present = held & set(columns)
        if not present:
            continue  # a store older than the previous release: the adoption check refuses it
        with op.batch_alter_table(table) as batch_op:
            for column in sorted(present):
                batch_op.alter_column(
                    column,
                    existing_type=old,
                    type_=new,
                    existing_nullable=True,
                    postgresql_using=f"{column}::{cast}",
                )


def upgrade() -> None:
    _retype(sa.Integer(), sa.String(length=64))


def downgrade() -> None:
    _retype(sa.String(length=64), sa.Integer())
