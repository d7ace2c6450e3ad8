"""index mappings by kind and POS code

A ticket's mapping reads the rows of the codes it names (store/mappings.py), not every row
the chain maps. A store adopted without its mappings table (older than the release before
migrations) is refused once upgraded (store/schema.py): nothing to index in it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("mappings"):
        return
    with op.batch_alter_table("mappings", schema=None) as batch_op:
        batch_op.create_index("ix_mappings_kind_pos_code", ["kind", "pos_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mappings", schema=None) as batch_op:
        batch_op.drop_index("ix_mappings_kind_pos_code")
