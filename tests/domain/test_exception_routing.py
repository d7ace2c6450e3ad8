"""Owner per kind (defaults, configured overrides), what each role sees, and ages."""

from datetime import timedelta

from domain.exception_routing import (
    OperatorRole,
    describe_age,
    kinds_owned_by,
    owner_of,
    visible_owners,
)
from domain.outcomes import ExceptionKind, ExceptionOwner

FINANCE_REJECTS = {ExceptionKind.ERP_REJECTED: ExceptionOwner.FINANCE}


def test_a_kind_is_owned_by_its_default_unless_configured_otherwise() -> None:
    assert owner_of("erp_rejected", {}) is ExceptionOwner.IT
    assert owner_of("erp_rejected", FINANCE_REJECTS) is ExceptionOwner.FINANCE
    assert owner_of("receipt_gap", FINANCE_REJECTS) is ExceptionOwner.STORE_OPS
    assert owner_of("a_kind_from_a_newer_version", {}) is ExceptionOwner.IT


def test_kinds_owned_by_follow_the_overrides() -> None:
    finance = kinds_owned_by([ExceptionOwner.FINANCE], FINANCE_REJECTS)
    assert ExceptionKind.ERP_REJECTED in finance
    assert ExceptionKind.TAX_ROUNDING in finance
    assert ExceptionKind.ERP_REJECTED not in kinds_owned_by([ExceptionOwner.IT], FINANCE_REJECTS)
    every = kinds_owned_by(list(ExceptionOwner), FINANCE_REJECTS)
    assert sorted(every) == sorted(ExceptionKind)


def test_it_and_admins_see_everything_the_others_their_own() -> None:
    assert visible_owners([OperatorRole.IT]) == set(ExceptionOwner)
    assert visible_owners([OperatorRole.ADMIN]) == set(ExceptionOwner)
    assert visible_owners([OperatorRole.STORE_OPS]) == {ExceptionOwner.STORE_OPS}
    assert visible_owners([OperatorRole.STORE_OPS, OperatorRole.FINANCE]) == {
        ExceptionOwner.STORE_OPS,
        ExceptionOwner.FINANCE,
    }
    assert visible_owners([]) == set()


def test_ages_read_in_minutes_hours_and_days() -> None:
    assert describe_age(timedelta(seconds=59)) == "0m"
    assert describe_age(timedelta(minutes=45, seconds=30)) == "45m"
    assert describe_age(timedelta(hours=3, minutes=5)) == "3h 05m"
    assert describe_age(timedelta(days=2, hours=4, minutes=59)) == "2d 4h"
    assert describe_age(timedelta(seconds=-5)) == "0m", "a clock a little ahead"
