"""Notices the saga records for people to review: each handled, none parks the run."""

from domain.outcomes import ExceptionKind, ReviewNotice
from domain.tax import TaxReconciliation
from domain.transaction import PosTransaction


def tax_rounding_notice(figures: TaxReconciliation) -> ReviewNotice:
    return ReviewNotice(
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


def unreferenced_return_notice(txn: PosTransaction) -> ReviewNotice:
    lines = [line.line_number for line in txn.lines if line.is_return and not line.return_of]
    return ReviewNotice(
        kind=ExceptionKind.UNREFERENCED_RETURN,
        message="goods returned without a receipt were credited at the product's current cost",
        details={"lines": ", ".join(map(str, lines))},
    )


def unknown_customer_notice(customer_id: str, erp_reference: str) -> ReviewNotice:
    return ReviewNotice(
        kind=ExceptionKind.UNKNOWN_CUSTOMER,
        message=f"the ERP has no customer {customer_id}: the sale was booked to the cash-sale"
        " customer; create the customer in the ERP and move the sale to it if it matters",
        details={"customer_id": customer_id, "erp_reference": erp_reference},
    )


def negative_stock_notice(warehouse_code: str, erp_reference: str) -> ReviewNotice:
    return ReviewNotice(
        kind=ExceptionKind.NEGATIVE_STOCK,
        message=f"the ERP counted too little stock in {warehouse_code}; "
        "the sale was reserved anyway (the goods left the till)",
        details={"erp_reference": erp_reference},
    )
