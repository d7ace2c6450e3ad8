"""The store's table for the stock ledger's openings: the ERP's stock of a warehouse's products
as it stood when a business day opened (the ledger's movements are in store/tables.py)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.tables import MONEY


class StockSnapshot(SQLModel, table=True):
    """One product's ERP stock in one warehouse at the opening of a business day."""

    __tablename__ = "stock_snapshots"
    __table_args__ = (UniqueConstraint("warehouse_code", "business_date", "product_code"),)

    id: int | None = Field(default=None, primary_key=True)
    warehouse_code: str = Field(max_length=64, index=True)
    business_date: date = Field(index=True, description="the day this is the opening of")
    product_code: str = Field(max_length=64)
    on_hand: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    available: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    taken_at: datetime
