"""MemoryErp's ErpInspection calls: what tests and benchmarks ask the ERP beside the saga."""

from connectors.erp.memory.calls import MemoryCalls
from connectors.erp.memory.sales import Sales
from domain.erp_order import ErpOrderRefs
from domain.returns import ReturnableQuantity


class InspectionCalls(MemoryCalls):
    """Mixed into MemoryErp, which sets ``_sales``."""

    _sales: Sales

    async def ping(self) -> None:
        await self._call("ping", None, lambda: None)

    async def find_order(self, reference: str) -> ErpOrderRefs | None:
        def find() -> ErpOrderRefs | None:
            found = self._sales.find(reference)
            return found.refs() if found else None

        return await self._call("find_order", reference, find)

    async def returnable_quantity(
        self, original_reference: str, original_line_number: int
    ) -> ReturnableQuantity:
        return await self._call(
            "returnable_quantity",
            original_reference,
            lambda: self._sales.returnable(original_reference, original_line_number),
        )
