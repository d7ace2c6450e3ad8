"""Pro-rata allocation of an amount over weights (basket discounts over tax groups, a POSLog
transaction's tax over its lines, a foreign invoice's receivable over its tenders)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import allocate, minor_unit

PENNIES = st.decimals(min_value=-10_000, max_value=10_000, places=2)
WEIGHTS = st.lists(
    st.decimals(min_value=0, max_value=1_000, places=3).filter(bool), min_size=1, max_size=8
)


def test_the_rounding_residue_goes_to_the_largest_weight() -> None:
    assert allocate(Decimal("1.00"), [Decimal(1), Decimal(1), Decimal(1)], "GBP") == [
        Decimal("0.34"),
        Decimal("0.33"),
        Decimal("0.33"),
    ]
    assert allocate(Decimal("1.00"), [Decimal(1), Decimal(2), Decimal(3)], "GBP") == [
        Decimal("0.17"),
        Decimal("0.33"),
        Decimal("0.50"),
    ]
    assert allocate(Decimal("10"), [Decimal(1), Decimal(1), Decimal(1)], "JPY") == [
        Decimal("4"),
        Decimal("3"),
        Decimal("3"),
    ]


def test_nothing_to_weigh_takes_nothing_and_cannot_take_something() -> None:
    assert allocate(Decimal(0), [], "GBP") == []
    assert allocate(Decimal(0), [Decimal(0), Decimal(0)], "GBP") == [Decimal(0), Decimal(0)]
    with pytest.raises(ValueError, match="add up to nothing"):
        allocate(Decimal("1.00"), [Decimal(0)], "GBP")


@given(PENNIES, WEIGHTS)
def test_the_shares_add_up_to_the_total_each_within_the_residue_of_its_exact_share(
    total: Decimal, weights: list[Decimal]
) -> None:
    shares = allocate(total, weights, "GBP")
    assert sum(shares, Decimal(0)) == total
    assert all(share == share.quantize(minor_unit("GBP")) for share in shares)
    weight_total = sum(weights, Decimal(0))
    largest = max(range(len(weights)), key=lambda index: weights[index])
    for index, (share, weight) in enumerate(zip(shares, weights, strict=True)):
        exact = total * weight / weight_total
        allowed = Decimal("0.005") * (len(weights) if index == largest else 1)
        assert abs(share - exact) <= allowed


@given(PENNIES, WEIGHTS)
def test_the_shares_carry_the_totals_sign(total: Decimal, weights: list[Decimal]) -> None:
    shares = allocate(total, weights, "GBP")
    assert all(share * total >= 0 for share in shares)
