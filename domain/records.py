"""Exception records the saga writes for people to review (they do not park the run)."""

from datetime import timedelta

from domain.outcomes import BusinessFailure, ExceptionKind
from domain.tax import TaxReconciliation
from domain.transaction import PosTransaction


def tax_rounding_record(figures: TaxReconciliation) -> BusinessFailure:
    return BusinessFailure(
        kind=ExceptionKind.TAX_ROUNDING,
        message=f"{figures.describe()}: the difference was booked as an adjustment",
        details={
            "erp_net": str(figures.erp_net),
            "pos_net": str(figures.pos_net),
            "erp_tax": str(figures.erp_tax),
            "pos_tax": str(figures.pos_tax),
            "net_adjustment": str(figures.net_adjustment),
            "tax_adjustment": str(figures.tax_adjustment),
        },
    )


def unreferenced_return_record(txn: PosTransaction) -> BusinessFailure:
    lines = [line.line_number for line in txn.lines if line.is_return and not line.return_of]
    return BusinessFailure(
        kind=ExceptionKind.UNREFERENCED_RETURN,
        message="goods returned without a receipt were credited at the product's current cost",
        details={"lines": ", ".join(map(str, lines))},
    )


def original_missing_failure(pending: list[str], waited: timedelta) -> BusinessFailure:
    return BusinessFailure(
        kind=ExceptionKind.ORIGINAL_MISSING,
        message=(
            f"the original sale {', '.join(pending)} has not been posted after waiting "
            f"{waited}; retry once it is, or abandon"
        ),
        details={"originals": ", ".join(pending)},
    )


def unknown_customer_record(customer_id: str, erp_reference: str) -> BusinessFailure:
    return BusinessFailure(
        kind=ExceptionKind.UNKNOWN_CUSTOMER,
        message=f"the ERP has no customer {customer_id}: the sale was booked to the cash-sale"
        " customer; create the customer in the ERP and move the sale to it if it matters",
        details={"customer_id": customer_id, "erp_reference": erp_reference},
    )
