"""When a period close waits for finance's approval before it closes the ERP period."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.period_close import approval_needed
from domain.reconciliation import ReconciliationSummary


def _summary(differences: int = 0, exceptions: int = 0, missing: int = 0) -> ReconciliationSummary:
    return ReconciliationSummary(
        start_date=date(2026, 11, 1),
        end_date=date(2026, 11, 30),
        store_days=3,
        store_days_needing_attention=min(differences, 3),
        differences=differences,
        open_exceptions=exceptions,
        missing_receipts=missing,
        redated=0,
        pos_gross=Decimal("100.00"),
        erp_gross=Decimal("100.00"),
    )


def test_a_clean_period_closes_without_approval() -> None:
    assert approval_needed(_summary(), left_in_flight=0) is None


def test_each_reason_is_named() -> None:
    reason = approval_needed(_summary(2, 1, 4), left_in_flight=5)
    assert reason == (
        "2 differences on 2 store-days; 1 open exceptions; "
        "4 receipt numbers never arrived; 5 transactions were still in flight"
    )


@given(*(st.integers(min_value=0, max_value=3) for _ in range(4)))
def test_approval_is_needed_exactly_when_something_is_left_to_explain(
    differences: int, exceptions: int, missing: int, in_flight: int
) -> None:
    reason = approval_needed(_summary(differences, exceptions, missing), left_in_flight=in_flight)
    assert (reason is not None) is bool(differences or exceptions or missing or in_flight)
