"""The posting-date rule: re-date past closed or closing periods to the next open one."""

from datetime import date

import pytest

from domain.periods import (
    DateRange,
    ErpPeriod,
    decide_posting_date,
    month_start,
    period_containing,
)


def _month(month: int, state: str = "open", year: int = 2026) -> ErpPeriod:
    end = date(year + month // 12, month % 12 + 1, 1).toordinal() - 1
    return ErpPeriod(
        erp_id=str(month),
        name=f"{year}-{month:02d}",
        start_date=date(year, month, 1),
        end_date=date.fromordinal(end),
        state=state,
    )


def test_the_period_containing_a_day_includes_both_its_ends() -> None:
    october, november = _month(10), _month(11)
    assert period_containing([november, october], date(2026, 10, 1)) == october
    assert period_containing([november, october], date(2026, 10, 31)) == october
    assert period_containing([november, october], date(2026, 11, 1)) == november
    assert period_containing([november, october], date(2026, 12, 1)) is None
    assert period_containing([], date(2026, 10, 1)) is None


def test_an_open_period_keeps_the_business_date() -> None:
    posting = decide_posting_date(date(2026, 10, 15), [_month(10), _month(11)], [])
    assert (posting.posting_date, posting.redated, posting.reason) == (
        date(2026, 10, 15),
        False,
        None,
    )


def test_a_closed_period_moves_to_the_first_day_of_the_next_open_one() -> None:
    periods = [_month(12), _month(10, "closed"), _month(11, "locked")]
    posting = decide_posting_date(date(2026, 10, 15), periods, [])
    assert posting.posting_date == date(2026, 12, 1)
    assert posting.reason == "period 2026-10 is closed in the ERP; posted in 2026-12"


def test_a_period_finance_is_closing_re_dates_too_and_so_does_a_closing_next_one() -> None:
    closing = [DateRange(start_date=date(2026, 10, 1), end_date=date(2026, 11, 30))]
    posting = decide_posting_date(date(2026, 10, 31), [_month(10), _month(11), _month(12)], closing)
    assert posting.posting_date == date(2026, 12, 1)
    assert posting.reason == "period 2026-10 is being closed by finance; posted in 2026-12"


@pytest.mark.parametrize(
    "periods",
    [[], [_month(10, "closed")]],
    ids=["no period holds the date", "no later period is open"],
)
def test_without_an_open_period_the_business_date_stays_and_the_erp_decides(
    periods: list[ErpPeriod],
) -> None:
    posting = decide_posting_date(date(2026, 10, 15), periods, [])
    assert (posting.posting_date, posting.redated) == (date(2026, 10, 15), False)


def test_period_names_are_months() -> None:
    assert month_start("2026-11") == date(2026, 11, 1)
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_start("2026-13")
