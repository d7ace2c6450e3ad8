"""The posting check: the ERP's booked gross against the till's, within the configured
rounding tolerance per line (TILLSYNC_TAX_TOLERANCE_PER_LINE)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.erp_order import ErpOrder, ErpOrderRefs, ErpPostingResult
from domain.outcomes import ExceptionKind
from domain.screening import check_posting, posting_tolerance
from tests.memory_erp.orders import erp_order, product_line

TWO_LINES = erp_order(
    "pos:S1:T1:1", product_line(1, "TEA-001", "2", "3.00"), product_line(2, "MUG-001", "1", "7.50")
)


def _booked(order: ErpOrder, gross: Decimal) -> ErpPostingResult:
    return ErpPostingResult(
        refs=ErpOrderRefs(reference=order.reference),
        net_total=order.net_total,
        tax_total=gross - order.net_total,
        gross_total=gross,
    )


def test_the_tolerance_is_the_setting_times_the_lines_or_a_minor_unit_each_by_default() -> None:
    assert posting_tolerance(TWO_LINES, Decimal("0.05")) == Decimal("0.10")
    assert posting_tolerance(TWO_LINES, None) == Decimal("0.02")


def test_the_check_follows_the_configured_tolerance_not_one_minor_unit() -> None:
    four_pence_over = _booked(TWO_LINES, TWO_LINES.gross_total + Decimal("0.04"))
    assert check_posting(TWO_LINES, four_pence_over, Decimal("0.02")) is None
    refused = check_posting(TWO_LINES, four_pence_over, Decimal("0.01"))
    assert refused is not None and refused.kind is ExceptionKind.TOTALS_MISMATCH
    assert refused.details["erp_gross"] == str(four_pence_over.gross_total)
    assert check_posting(TWO_LINES, four_pence_over, None) is not None


@given(
    st.decimals(min_value=-1, max_value=1, places=2),
    st.decimals(min_value=0, max_value=Decimal("0.50"), places=2),
)
def test_a_posting_passes_exactly_when_it_is_within_the_tolerance(
    difference: Decimal, per_line: Decimal
) -> None:
    posting = _booked(TWO_LINES, TWO_LINES.gross_total + difference)
    passes = check_posting(TWO_LINES, posting, per_line) is None
    assert passes is (abs(difference) <= 2 * per_line)
