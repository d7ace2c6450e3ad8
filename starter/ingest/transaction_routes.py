"""``/v1/transactions``: one transaction, a batch, and where a run stands."""

import asyncio
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from connectors.pos.base import FieldError
from domain.outcomes import SyncStatus
from observability.ingest_metrics import count_record_rejects
from starter.ingest.answers import batch_answer, batch_route, retry_after, unavailable
from starter.ingest.gate import Authenticated, Gate, request_source
from starter.ingest.handling import ROOT_FIELD, Converted, Ingest, Refusal, check_store, convert
from starter.ingest.models import IngestOutcome, ItemResult
from starter.ingest.openapi import posting_responses, reading_responses, request_body
from starter.ingest.rejects import RejectLog, rejects_answered
from workflows import search_attributes as attrs
from workflows.pos_transaction import PosTransactionWorkflow

SINGLE_REQUEST_MAX_RECORDS = 10
"""Records /v1/transactions takes: its one transaction, and a few sign-ons around it."""


def transaction_router(
    client: Client,
    ingest: Ingest,
    gate: Gate,
    rejects: RejectLog,
    *,
    max_body_bytes: int,
    max_batch: int,
) -> APIRouter:
    router = APIRouter(tags=["transactions"])
    Auth = Annotated[Authenticated, Depends(gate)]
    ContentType = Annotated[str | None, Header(alias="Content-Type")]

    async def converted_for(
        auth: Authenticated, content_type: str | None, max_records: int
    ) -> Converted:
        converted = await asyncio.to_thread(
            convert, auth.body, content_type, max_bytes=max_body_bytes, max_records=max_records
        )
        check_store(auth.store_id, converted)
        return converted

    async def submit(request: Request, converted: Converted) -> list[ItemResult]:
        results = await ingest.submit(converted)
        answered = rejects_answered(converted.result.rejects, results)
        count_record_rejects(len(converted.result.rejects), len(answered))
        await rejects.record(request_source(request), answered)
        return results

    @router.post(
        "/v1/transactions",
        summary="Post one completed transaction",
        status_code=HTTPStatus.ACCEPTED,
        response_model=ItemResult,
        responses=posting_responses("ItemResult"),
        openapi_extra=request_body(many=False),
    )
    async def post_transaction(
        request: Request, auth: Auth, content_type: ContentType = None
    ) -> JSONResponse:
        converted = await converted_for(auth, content_type, SINGLE_REQUEST_MAX_RECORDS)
        if converted.postable_count > 1:
            raise Refusal(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "this endpoint takes one transaction; post several to /v1/transactions:batch",
                errors=[FieldError(field=ROOT_FIELD, reason="more than one transaction")],
            )
        results = await submit(request, converted)
        if not results:
            raise Refusal(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "the body holds no transaction",
                errors=[FieldError(field=ROOT_FIELD, reason="no transaction")],
            )
        result = next(
            (item for item in results if item.outcome is not IngestOutcome.SKIPPED), results[0]
        )
        return JSONResponse(
            result.model_dump(mode="json", exclude_none=True),
            status_code=result.status,
            headers=retry_after(result.outcome),
        )

    @router.post(
        "/v1/transactions:batch",
        summary="Post many completed transactions (an offline till's backlog)",
        openapi_extra=request_body(many=True),
        **batch_route(),
    )
    async def post_batch(
        request: Request, auth: Auth, content_type: ContentType = None
    ) -> JSONResponse:
        converted = await converted_for(auth, content_type, max_batch)
        return batch_answer(await submit(request, converted))

    @router.get(
        "/v1/transactions/{workflow_id}",
        summary="Where a transaction's run stands: stage, outcome, ERP references",
        response_model=SyncStatus,
        responses=reading_responses(),
    )
    async def get_transaction(workflow_id: str, auth: Auth) -> SyncStatus:
        handle = client.get_workflow_handle_for(PosTransactionWorkflow.run, workflow_id)
        not_found = Refusal(HTTPStatus.NOT_FOUND, f"store {auth.store_id} has no run {workflow_id}")
        try:
            description = await handle.describe()
            if (
                description.workflow_type != "PosTransaction"
                or description.typed_search_attributes.get(attrs.STORE_ID) != auth.store_id
            ):
                raise not_found
            return await handle.query(PosTransactionWorkflow.status)
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                raise not_found from None
            raise unavailable(error) from None

    return router
