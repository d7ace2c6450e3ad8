"""What tills are sent: a store's master data (a snapshot, or a delta since a watermark) and its
available-to-sell quantities, as canonical JSON documents."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.erp_order import StockLevel
from domain.master_data import RemovedItem, StoreArticle, StorePromotion


class MasterDataDocument(BaseModel):
    """``since`` None: a full snapshot; else the records the ERP wrote at or after it.
    ``watermark``: what to ask the next delta ``since``."""

    model_config = ConfigDict(frozen=True)

    store_id: str
    since: datetime | None
    watermark: datetime | None
    articles: list[StoreArticle] = Field(default_factory=list)
    promotions: list[StorePromotion] = Field(default_factory=list)
    removed: list[RemovedItem] = Field(
        default_factory=list,
        description="a delta's items the ERP deactivated since: tills drop them (a snapshot"
        " leaves them out)",
    )

    @property
    def empty(self) -> bool:
        return not self.articles and not self.promotions and not self.removed


class AvailableQuantity(BaseModel):
    model_config = ConfigDict(frozen=True)

    item_code: str
    available: Decimal
    read_at: datetime


class AvailableDocument(BaseModel):
    model_config = ConfigDict(frozen=True)

    store_id: str
    quantities: list[AvailableQuantity]


def available_to_sell(level: StockLevel, held_outside_erp: Decimal = Decimal(0)) -> Decimal:
    """What a store can still sell of an item.

    The ERP's ``available`` already nets what tillsync reserved (a reservation is an assigned
    ERP move the moment the sale is rung up, and stays one until the stock issues), so it is
    not subtracted again; only quantities tillsync holds that the ERP has not booked yet
    (``held_outside_erp``) are. Never below zero: a till cannot sell a negative quantity.
    """
    return max(level.available - held_outside_erp, Decimal(0))
