"""ERP activities: each saga step and its compensation, over the configured ErpConnector.

Transient failures (ErpUnavailable, or anything unexpected) propagate and Temporal retries
them with backoff. Business refusals become non-retryable failures that park the saga.
"""

import asyncio
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


HEARTBEAT_EVERY_SECONDS = 2.0


async def _heartbeat_forever() -> None:
    while True:
        activity.heartbeat()
        await asyncio.sleep(HEARTBEAT_EVERY_SECONDS)


@asynccontextmanager
async def _erp_call() -> AsyncIterator[None]:
    """Heartbeat while the ERP works (a dead worker is noticed within the heartbeat
    timeout, not the whole start-to-close timeout) and classify the connector's errors."""
    heartbeat = asyncio.create_task(_heartbeat_forever())
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
    finally:
        heartbeat.cancel()


class ErpActivities:
    def __init__(self, connector: ErpConnector) -> None:
        self._erp = connector

    @activity.defn(name="erp.reserve")
    async def reserve(self, order: ErpOrder) -> ErpOrderRefs:
        async with _erp_call():
            await self._erp.check_codes(
                order.warehouse_code, [line.product_code for line in order.product_lines]
            )
            return await self._erp.reserve(order)

    @activity.defn(name="erp.release_if_present")
    async def release_if_present(self, reference: str) -> None:
        async with _erp_call():
            await self._erp.release_if_present(reference)

    @activity.defn(name="erp.post")
    async def post(self, request: PostRequest) -> ErpPostingResult:
        async with _erp_call():
            return await self._erp.post(request.reference, request.posting_date)

    @activity.defn(name="erp.cancel_posting_if_present")
    async def cancel_posting_if_present(self, reference: str) -> None:
        async with _erp_call():
            await self._erp.cancel_posting_if_present(reference)

    @activity.defn(name="erp.commit")
    async def commit(self, reference: str) -> ErpOrderRefs:
        async with _erp_call():
            return await self._erp.commit(reference)

    @activity.defn(name="erp.return_stock_if_present")
    async def return_stock_if_present(self, reference: str) -> None:
        async with _erp_call():
            await self._erp.return_stock_if_present(reference)
