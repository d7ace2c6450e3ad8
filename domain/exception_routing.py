"""Who owns an exception (per kind, configurable), which operators see it, and an age as
operators read it."""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from enum import StrEnum

from domain.outcomes import ExceptionKind, ExceptionOwner


class OperatorRole(StrEnum):
    """An operator's role on the sync-health page and the ``exceptions`` commands."""

    STORE_OPS = "store_ops"
    FINANCE = "finance"
    IT = "it"
    ADMIN = "admin"


_SEES_ALL = {OperatorRole.IT, OperatorRole.ADMIN}


def owner_of(kind: str, overrides: Mapping[ExceptionKind, ExceptionOwner]) -> ExceptionOwner:
    """The configured owner of ``kind``, else the kind's default; a kind this version does
    not know (written by a newer one) goes to IT."""
    try:
        known = ExceptionKind(kind)
    except ValueError:
        return ExceptionOwner.IT
    return overrides.get(known, known.owner)


def kinds_owned_by(
    owners: Iterable[ExceptionOwner], overrides: Mapping[ExceptionKind, ExceptionOwner]
) -> list[ExceptionKind]:
    wanted = set(owners)
    return [kind for kind in ExceptionKind if owner_of(kind.value, overrides) in wanted]


def visible_owners(roles: Iterable[OperatorRole]) -> set[ExceptionOwner]:
    """The owners whose exceptions an operator with ``roles`` may see and act on: IT and
    admins see every exception, the others their own role's."""
    held = set(roles)
    if held & _SEES_ALL:
        return set(ExceptionOwner)
    return {ExceptionOwner(role.value) for role in held}


def describe_age(age: timedelta) -> str:
    """An age as an operator reads it: ``45m``, ``3h 05m``, ``2d 4h`` (whole minutes)."""
    minutes = max(int(age.total_seconds()), 0) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"
