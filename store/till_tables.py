"""The store's tables for what goes to the tills: the mappings the ERP's items imply, each
store's published master data records, where its publication stands, and available-to-sell."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.tables import MONEY


class ErpItemMapping(SQLModel, table=True):
    """A chain-wide SKU or barcode row an ERP item implies; hand-made mappings win over it."""

    __tablename__ = "erp_item_mappings"
    __table_args__ = (UniqueConstraint("kind", "pos_code"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    pos_code: str = Field(max_length=64)
    erp_code: str = Field(max_length=64)
    factor: Decimal = Field(default=Decimal(1), sa_column=Column(MONEY, nullable=False))


class PublishedRecord(SQLModel, table=True):
    """The latest version of one article or promotion as a store's tills are sent it."""

    __tablename__ = "published_records"
    __table_args__ = (UniqueConstraint("store_id", "kind", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=16)
    code: str = Field(max_length=64)
    written_at: datetime = Field(index=True, description="the ERP's write date")
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class TillPublication(SQLModel, table=True):
    """Where a store's master data stands: read from the ERP up to ``read_watermark``, taken
    by its webhook up to ``pushed_watermark``."""

    __tablename__ = "till_publications"

    store_id: str = Field(primary_key=True, max_length=64)
    read_watermark: datetime | None = None
    pushed_watermark: datetime | None = None
    pushed_at: datetime | None = None


class AvailableToSell(SQLModel, table=True):
    __tablename__ = "available_to_sell"
    __table_args__ = (UniqueConstraint("store_id", "item_code"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: str = Field(max_length=64, index=True)
    item_code: str = Field(max_length=64)
    quantity: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    read_at: datetime
