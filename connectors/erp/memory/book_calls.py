"""MemoryErp's ErpBooks calls: periods, daily consolidated postings and posted figures."""

from datetime import date

from connectors.erp.memory.books import ConsolidatedBook, posted_invoices
from connectors.erp.memory.calls import MemoryCalls
from connectors.erp.memory.periods import Periods
from connectors.erp.memory.sales import Sales
from domain.consolidation import ConsolidatedRefs, ConsolidationBatch
from domain.periods import ErpPeriod
from domain.reconciliation import ErpInvoiceFigures, ErpMoveFigures


class BookCalls(MemoryCalls):
    """Mixed into MemoryErp, which sets ``_periods``, ``_sales`` and ``_consolidated``."""

    _periods: Periods
    _sales: Sales
    _consolidated: ConsolidatedBook

    async def periods_from(self, day: date) -> list[ErpPeriod]:
        return await self._call("periods_from", None, lambda: self._periods.from_day(day))

    async def close_period(self, erp_id: str) -> ErpPeriod:
        return await self._call("close_period", None, lambda: self._periods.close(erp_id))

    async def reopen_period(self, erp_id: str) -> ErpPeriod:
        return await self._call("reopen_period", None, lambda: self._periods.reopen(erp_id))

    async def posted_invoices(self, start: date, end: date) -> list[ErpInvoiceFigures]:
        return await self._call(
            "posted_invoices", None, lambda: posted_invoices(self._sales, start, end)
        )

    async def post_consolidated(
        self, batch: ConsolidationBatch, posting_date: date
    ) -> ConsolidatedRefs:
        return await self._call(
            "post_consolidated",
            batch.key,
            lambda: self._consolidated.post(batch, posting_date),
        )

    async def consolidated_moves(self, move_ids: list[str]) -> list[ErpMoveFigures]:
        return await self._call(
            "consolidated_moves", None, lambda: self._consolidated.moves(move_ids)
        )
