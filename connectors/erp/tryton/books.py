"""TrytonBooks: the ErpBooks side of Tryton (periods, daily postings, posted figures), on the
client it shares with the connector (``TrytonConnector.books()``)."""

from datetime import date

from connectors.erp.tryton.client import TrytonClient
from connectors.erp.tryton.consolidated import TrytonConsolidatedPostings
from connectors.erp.tryton.periods import TrytonPeriods
from connectors.erp.tryton.posted import consolidated_moves, posted_invoices
from connectors.erp.tryton.tender_methods import TenderMethods
from domain.consolidation import ConsolidatedRefs, ConsolidationBatch
from domain.periods import ErpPeriod
from domain.reconciliation import ErpInvoiceFigures, ErpMoveFigures


class TrytonBooks:
    def __init__(self, client: TrytonClient) -> None:
        self._client = client
        self._periods = TrytonPeriods(client.rest, client.company_id)
        self._tender_methods = TenderMethods(client.rest, client.company_id)
        self._consolidated = TrytonConsolidatedPostings(
            client.rest, self._periods, client.company_id, self._tender_methods
        )

    async def periods_from(self, day: date) -> list[ErpPeriod]:
        return await self._periods.periods_from(day)

    async def close_period(self, erp_id: str) -> ErpPeriod:
        return await self._periods.close(erp_id)

    async def reopen_period(self, erp_id: str) -> ErpPeriod:
        return await self._periods.reopen(erp_id)

    async def posted_invoices(self, start: date, end: date) -> list[ErpInvoiceFigures]:
        client = self._client
        return await posted_invoices(
            client.rest, self._tender_methods, client.company_id, start, end
        )

    async def post_consolidated(
        self, batch: ConsolidationBatch, posting_date: date
    ) -> ConsolidatedRefs:
        return await self._consolidated.post(batch, posting_date)

    async def consolidated_moves(self, move_ids: list[str]) -> list[ErpMoveFigures]:
        return await consolidated_moves(self._client.rest, move_ids)

    async def aclose(self) -> None:
        await self._client.aclose()
