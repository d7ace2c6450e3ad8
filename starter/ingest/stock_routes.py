"""``POST /v1/stock-events``: transfer dispatches and receipts and purchase receipts, signed
like transactions, in canonical JSON (one event, an array, or JSON lines; ``type`` says which).

One result per record, as for a batch of transactions: 202 started, 200 duplicate (the event
was submitted before: its stock moves once), 422 rejected (field errors, recorded in the
rejects file), 503 Temporal unavailable; 207 when they differ. A store posts its own events
only (403), in JSON (415 otherwise); 413 beyond ``TILLSYNC_INGEST_MAX_BATCH`` records.
"""

import asyncio
import logging
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from temporalio.service import RPCError

from connectors.pos.base import FieldError
from connectors.pos.canonical_stock import StockEventsResult, parse_stock_events
from connectors.pos.errors import PayloadError
from connectors.pos.guards import TooManyRecords
from domain.stock_events import AnyStockEvent
from starter.ingest.answers import batch_answer, batch_route
from starter.ingest.gate import Authenticated, Gate, request_source
from starter.ingest.handling import ROOT_FIELD, Refusal
from starter.ingest.models import IngestOutcome, ItemResult
from starter.ingest.openapi import stock_events_body
from starter.ingest.rejects import RejectLog
from starter.intake.stock_submission import StockSubmitter

JSON_TYPES = ("application/json", "application/x-ndjson")
log = logging.getLogger(__name__)


def stock_event_router(
    gate: Gate, submitter: StockSubmitter, rejects: RejectLog, max_records: int
) -> APIRouter:
    router = APIRouter(tags=["stock events"])
    Auth = Annotated[Authenticated, Depends(gate)]
    ContentType = Annotated[str | None, Header(alias="Content-Type")]

    @router.post(
        "/v1/stock-events",
        summary="Post transfer dispatches and receipts, and purchase-order receipts",
        openapi_extra=stock_events_body(),
        **batch_route(),
    )
    async def post_stock_events(
        request: Request, auth: Auth, content_type: ContentType = None
    ) -> JSONResponse:
        media = (content_type or "").split(";")[0].strip().lower()
        if media not in JSON_TYPES:
            raise Refusal(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"Content-Type {content_type or '(none)'} is not one of: " + ", ".join(JSON_TYPES),
            )
        parsed = await asyncio.to_thread(_parse, auth.body, max_records)
        others = sorted({event.store_id for _, event in parsed.events} - {auth.store_id})
        if others:
            raise Refusal(
                HTTPStatus.FORBIDDEN,
                f"store {auth.store_id} may not post events of store " + ", ".join(others),
            )
        started = [await _submit(submitter, index, event) for index, event in parsed.events]
        rejected = [
            ItemResult(
                index=item.source_index,
                outcome=IngestOutcome.REJECTED,
                status=IngestOutcome.REJECTED.http_status,
                transaction_id=item.transaction_id,
                errors=item.errors,
            )
            for item in parsed.rejects
        ]
        await rejects.record(request_source(request), parsed.rejects)
        return batch_answer(sorted([*started, *rejected], key=lambda item: item.index))

    return router


def _parse(body: bytes, max_records: int) -> StockEventsResult:
    try:
        return parse_stock_events(body, max_records=max_records)
    except TooManyRecords as error:
        raise Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, str(error)) from None
    except PayloadError as error:
        raise Refusal(
            HTTPStatus.BAD_REQUEST,
            "the body is not readable canonical JSON",
            errors=[FieldError(field=ROOT_FIELD, reason=str(error))],
        ) from None


async def _submit(submitter: StockSubmitter, index: int, event: AnyStockEvent) -> ItemResult:
    try:
        result, started = await submitter.submit(event)
    except RPCError as error:
        outcome, reason = IngestOutcome.UNAVAILABLE, f"Temporal did not accept it: {error.message}"
        return ItemResult(
            index=index,
            outcome=outcome,
            status=outcome.http_status,
            transaction_id=event.event_id,
            reason=reason,
        )
    outcome = IngestOutcome.STARTED if started else IngestOutcome.DUPLICATE
    return ItemResult(
        index=index,
        outcome=outcome,
        status=outcome.http_status,
        transaction_id=event.event_id,
        workflow_id=result.workflow_id,
    )
