"""ERP activities: each saga step and its compensation, over the configured ErpConnector.

Transient failures (ErpUnavailable, or anything unexpected) propagate and Temporal retries
them with backoff. Business refusals become non-retryable failures that park the saga.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from pydantic import BaseModel
from temporalio import activity

from activities.errors import business_failure
from connectors.erp.base import ErpConnector
from connectors.erp.errors import ErpRejected, ErpUnknownCodes
from domain.erp_order import ErpOrder, ErpOrderRefs, ErpPostingResult
from domain.outcomes import ExceptionKind


class PostRequest(BaseModel):
    reference: str
    posting_date: date


@asynccontextmanager
async def _business_errors() -> AsyncIterator[None]:
    try:
        yield
    except ErpUnknownCodes as error:
        kind = (
            ExceptionKind.UNMAPPED_LOCATION
            if error.kind == "warehouse"
            else ExceptionKind.UNMAPPED_SKU
        )
        raise business_failure(kind, str(error), {"erp_codes": ", ".join(error.codes)}) from error
    except ErpRejected as error:
        raise business_failure(ExceptionKind.ERP_REJECTED, f"the ERP refused: {error}") from error


class ErpActivities:
    def __init__(self, connector: ErpConnector) -> None:
        self._erp = connector

    @activity.defn(name="erp.reserve")
    async def reserve(self, order: ErpOrder) -> ErpOrderRefs:
        async with _business_errors():
            await self._erp.check_codes(
                order.warehouse_code, [line.product_code for line in order.product_lines]
            )
            return await self._erp.reserve(order)

    @activity.defn(name="erp.release_if_present")
    async def release_if_present(self, reference: str) -> None:
        await self._erp.release_if_present(reference)

    @activity.defn(name="erp.post")
    async def post(self, request: PostRequest) -> ErpPostingResult:
        async with _business_errors():
            return await self._erp.post(request.reference, request.posting_date)

    @activity.defn(name="erp.cancel_posting_if_present")
    async def cancel_posting_if_present(self, reference: str) -> None:
        await self._erp.cancel_posting_if_present(reference)

    @activity.defn(name="erp.commit")
    async def commit(self, reference: str) -> ErpOrderRefs:
        async with _business_errors():
            return await self._erp.commit(reference)

    @activity.defn(name="erp.return_stock_if_present")
    async def return_stock_if_present(self, reference: str) -> None:
        await self._erp.return_stock_if_present(reference)
