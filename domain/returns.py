"""How much of an original sale line can still be returned."""

from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.money import Amount
from domain.outcomes import BusinessFailure, ExceptionKind


class ReturnableQuantity(BaseModel):
    """One line of an original sale, in the ERP product's unit (POS quantity x mapping factor)."""

    model_config = ConfigDict(frozen=True)

    original_reference: str = Field(description="the ERP reference the original was booked under")
    original_line_number: int = Field(description="the POS line number on the original ticket")
    product_code: str
    sold: Amount
    returned: Amount = Field(description="by returns booked so far (cancelled ones excluded)")

    @property
    def remaining(self) -> Decimal:
        return self.sold - self.returned


def original_missing_failure(pending: list[str], waited: timedelta) -> BusinessFailure:
    return BusinessFailure(
        kind=ExceptionKind.ORIGINAL_MISSING,
        message=(
            f"the original sale {', '.join(pending)} has not been posted after waiting "
            f"{waited}; retry once it is, or abandon"
        ),
        details={"originals": ", ".join(pending)},
    )
