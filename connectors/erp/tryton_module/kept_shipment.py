"""Which of several customer shipments under one ticket's reference is kept, the others
cancelled: the furthest along (issued, then reserved, then draft, cancelled last), then the
oldest. The connector's client path and the module apply the same rule (no Tryton import)."""

_RANK = {"done": 0, "packed": 1, "assigned": 1, "waiting": 2, "draft": 2}


def preference(state: str, id_: int) -> tuple[int, int]:
    """Sorts the shipment to keep first."""
    return _RANK.get(state, 3), id_
