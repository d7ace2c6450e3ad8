"""Checks a ticket must pass before, and a posting after, it reaches the ERP's books."""

from decimal import Decimal

from domain.erp_order import ErpOrder, ErpPostingResult
from domain.money import minor_unit
from domain.outcomes import BusinessFailure, ExceptionKind
from domain.totals import expected_totals, tender_total
from domain.transaction import PosTransaction


def screen_totals(txn: PosTransaction) -> BusinessFailure | None:
    """The ticket's stated totals must follow from its lines, and its tenders must pay it."""
    expected = expected_totals(txn)
    differences = {
        name: (stated, computed)
        for name, stated, computed in (
            ("net", txn.totals.net, expected.net),
            ("tax", txn.totals.tax, expected.tax),
            ("gross", txn.totals.gross, expected.gross),
        )
        if stated != computed
    }
    if txn.tenders and tender_total(txn) != txn.totals.gross:
        differences["tenders"] = (tender_total(txn), txn.totals.gross)
    if not differences:
        return None
    return BusinessFailure(
        kind=ExceptionKind.TOTALS_MISMATCH,
        message="the ticket's totals do not follow from its lines: "
        + "; ".join(
            f"{name} stated {stated} but lines give {computed}"
            if name != "tenders"
            else f"tenders pay {stated} against a gross of {computed}"
            for name, (stated, computed) in differences.items()
        ),
        details={
            name: f"{stated} vs {computed}" for name, (stated, computed) in differences.items()
        },
    )


def posting_tolerance(order: ErpOrder, per_line: Decimal | None) -> Decimal:
    """How far two tax engines may round apart on ``order``: ``per_line`` for each product and
    discount line (TILLSYNC_TAX_TOLERANCE_PER_LINE; None: one minor unit of its currency)."""
    lines = len(order.product_lines) + len(order.discount_lines)
    return (minor_unit(order.currency) if per_line is None else per_line) * lines


def check_posting(
    order: ErpOrder, posting: ErpPostingResult, tolerance_per_line: Decimal | None
) -> BusinessFailure | None:
    """The ERP's booked gross must equal the till's, within rounding tolerance."""
    difference = posting.gross_total - order.gross_total
    if abs(difference) <= posting_tolerance(order, tolerance_per_line):
        return None
    return BusinessFailure(
        kind=ExceptionKind.TOTALS_MISMATCH,
        message=(
            f"the ERP booked a gross of {posting.gross_total} (tax {posting.tax_total}) "
            f"but the till took {order.gross_total} (tax {order.tax_total})"
        ),
        details={
            "erp_gross": str(posting.gross_total),
            "pos_gross": str(order.gross_total),
            "erp_tax": str(posting.tax_total),
            "pos_tax": str(order.tax_total),
        },
    )
