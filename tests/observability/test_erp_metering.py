"""ERP calls are timed and their failures counted by operation and a bounded error class."""

from typing import cast

import pytest
from prometheus_client import REGISTRY

from connectors.erp.base import ErpConnector
from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.erp.inspection import ErpInspection
from observability.erp_metering import metered


class _Erp:
    def __init__(self) -> None:
        self.closed = False
        self.label = "a plain attribute"

    async def ping(self) -> None:
        raise ErpUnavailable("connection refused")

    async def find_order(self, reference: str) -> None:
        if reference == "refused":
            raise ErpRejected("no")
        if reference == "broken":
            raise KeyError(reference)

    async def aclose(self) -> None:
        self.closed = True


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_calls_are_timed_and_failures_classified() -> None:
    inner = _Erp()
    erp = metered(cast(ErpConnector, inner))
    inspected = cast(ErpInspection, erp)  # ping and find_order: the inspection protocol's
    errors = "tillsync_erp_call_errors_total"
    before = {
        error: _value(errors, operation=operation, error=error)
        for operation, error in (("ping", "unavailable"), ("find_order", "refused"))
    }
    calls = _value("tillsync_erp_call_seconds_count", operation="find_order")
    unexpected = _value(errors, operation="find_order", error="unexpected")

    with pytest.raises(ErpUnavailable):
        await inspected.ping()
    await inspected.find_order("fine")
    with pytest.raises(ErpRejected):
        await inspected.find_order("refused")
    with pytest.raises(KeyError):
        await inspected.find_order("broken")
    await erp.aclose()

    assert _value(errors, operation="ping", error="unavailable") == before["unavailable"] + 1
    assert _value(errors, operation="find_order", error="refused") == before["refused"] + 1
    assert _value(errors, operation="find_order", error="unexpected") == unexpected + 1
    assert _value("tillsync_erp_call_seconds_count", operation="find_order") == calls + 3
    assert _value("tillsync_erp_call_seconds_count", operation="aclose") == 0
    assert inner.closed and cast(_Erp, erp).label == "a plain attribute"
