"""What a test, a benchmark or an operator's check asks an ERP, beside the saga's contract.

The saga never needs these: it finds its documents through its own idempotent writes. A
connector implements them so that its behaviour can be checked from outside (each connector's
tests, the in-memory ERP's benchmarks).
"""

from typing import Protocol, runtime_checkable

from domain.erp_order import ErpOrderRefs
from domain.returns import ReturnableQuantity


@runtime_checkable
class ErpInspection(Protocol):
    async def ping(self) -> None:
        """Raise ErpUnavailable unless the ERP answers."""

    async def find_order(self, reference: str) -> ErpOrderRefs | None:
        """The order booked under ``reference``, or None."""

    async def returnable_quantity(
        self, original_reference: str, original_line_number: int
    ) -> ReturnableQuantity:
        """What a line of the original sale sold and what returns took back so far (the
        connector's ``reserve`` refuses a return beyond it with ErpReturnRefused)."""
