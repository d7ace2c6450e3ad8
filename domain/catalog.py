"""A catalog item to load into the ERP, and how the till refers to it."""

from pydantic import BaseModel, ConfigDict, Field

from domain.money import Amount
from domain.transaction import Identifier


class CatalogItem(BaseModel):
    """One product: ``code`` in the ERP, ``pos_code`` (and optionally ``barcode``) at the till."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    code: Identifier = Field(description="the ERP product code")
    name: str = Field(min_length=1)
    unit: Identifier = Field(default="unit", description="the till's unit: unit, kg, g, lb, oz")
    list_price: Amount = Field(ge=0)
    cost_price: Amount = Field(ge=0, description="for the cost of goods sold")
    pos_code: Identifier | None = Field(default=None, description="the till's SKU; default: code")
    barcode: Identifier | None = None

    @property
    def sku(self) -> str:
        return self.pos_code or self.code
