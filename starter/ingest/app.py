"""The ingest's routes. Its OpenAPI document is served at /openapi.json (browse it at /docs).

- ``POST /v1/transactions``: one transaction. 202 with the workflow id once Temporal accepted
  the start; 200 with the existing workflow id for a duplicate; 422 with field-level errors.
- ``POST /v1/transactions:batch``: many; one result per record, and the status they share
  (207 when they differ).
- ``GET /v1/transactions/{workflow_id}``: the run's stage and outcome, from its query.
- ``GET /v1/stores/{store}/masterdata?since=W&format=canonical|sitoo`` and
  ``GET /v1/stores/{store}/available?item=...``: what the store's tills pull (till_feeds).
- ``GET /healthz``: 200 when Temporal answers, else 503.

Every ``/v1`` request is signed (see ``auth``); refusals are ``application/problem+json``:
400 unreadable body, 401 signature, 403 another store's transaction, 408 body too slow, 413
body too large or too many records, 415 content type, 422 no transaction (or more than one to
``/v1/transactions``), 429 rate (with Retry-After), and for a GET 404 and 503 Temporal
unavailable. A POST's results (200, 202, 207, 422, 500 when the ingest's own Temporal setup
is at fault, 503 with Retry-After when Temporal failed in passing) are JSON
(``ItemResult``, ``BatchResult``); the OpenAPI document says which answer is which. Rejects
(422, and refusals 400, 403, 413 of what a till sent) are appended to the rejects file,
redacted, as the CLI's are. Bodies are parsed in a worker thread.
"""

import asyncio
from collections import Counter
from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from connectors.pos.base import FieldError
from domain.outcomes import SyncStatus
from domain.settings import Settings
from observability.ingest_metrics import (
    CountRequests,
    count_record_rejects,
    count_refusal,
    metrics_response,
)
from starter.ingest.auth import StoreSecrets
from starter.ingest.gate import Authenticated, Gate, request_source
from starter.ingest.handling import ROOT_FIELD, Converted, Ingest, Refusal, check_store, convert
from starter.ingest.models import BatchResult, Health, IngestOutcome, ItemResult, Problem
from starter.ingest.openapi import (
    PROBLEM_MEDIA_TYPE,
    health_responses,
    openapi_document,
    posting_responses,
    reading_responses,
    request_body,
)
from starter.ingest.rejects import RejectLog, rejects_answered
from starter.ingest.stock_routes import add_stock_event_routes
from starter.ingest.till_feeds import add_till_feeds
from starter.intake.stock_submission import StockSubmitter
from starter.intake.ticket_intake import Intake
from workflows import search_attributes as attrs
from workflows.pos_transaction import PosTransactionWorkflow

RETRY_AFTER_UNAVAILABLE = "5"
SINGLE_REQUEST_MAX_RECORDS = 10
"""Records /v1/transactions takes: its one transaction, and a few sign-ons around it."""


def create_app(
    settings: Settings,
    client: Client,
    intake: Intake,
    secrets: StoreSecrets,
    *,
    stock_submitter: StockSubmitter | None = None,
    engine: Engine | None = None,
) -> FastAPI:
    """``stock_submitter``: where ``POST /v1/stock-events`` starts its workflows; ``engine``:
    the store, for the tills' feeds (master data, available-to-sell). Without either, its
    routes are not served."""
    app = FastAPI(
        title="tillsync POS ingest",
        version="1",
        description=__doc__,
        openapi_tags=[{"name": "transactions"}, {"name": "tills"}, {"name": "operations"}],
    )
    ingest = Ingest(intake)
    rejects = RejectLog(settings.rejects_file)
    max_bytes = settings.ingest_max_body_bytes

    @app.exception_handler(Refusal)
    async def _refused(request: Request, refusal: Refusal) -> JSONResponse:
        if refusal.recorded:
            count_refusal(refusal.status)
            await rejects.record_refusal(
                request_source(request),
                refusal.detail,
                refusal.errors,
                getattr(request.state, "body", b""),
            )
        return _problem(refusal.status, refusal.detail, refusal.errors, refusal.headers)

    gate = Gate(settings, secrets)
    Auth = Annotated[Authenticated, Depends(gate)]
    if stock_submitter is not None:
        add_stock_event_routes(app, gate, stock_submitter, rejects, settings.ingest_max_batch)
    ContentType = Annotated[str | None, Header(alias="Content-Type")]
    if engine is not None:
        add_till_feeds(app, Auth, engine)

    async def converted_for(
        auth: Authenticated, content_type: str | None, max_records: int
    ) -> Converted:
        converted = await asyncio.to_thread(
            convert, auth.body, content_type, max_bytes=max_bytes, max_records=max_records
        )
        check_store(auth.store_id, converted)
        return converted

    async def submit(request: Request, converted: Converted) -> list[ItemResult]:
        results = await ingest.submit(converted)
        answered = rejects_answered(converted.result.rejects, results)
        count_record_rejects(len(converted.result.rejects), len(answered))
        await rejects.record(request_source(request), answered)
        return results

    @app.post(
        "/v1/transactions",
        tags=["transactions"],
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
            headers=_retry_after(result.outcome),
        )

    @app.post(
        "/v1/transactions:batch",
        tags=["transactions"],
        summary="Post many completed transactions (an offline till's backlog)",
        status_code=HTTPStatus.ACCEPTED,
        response_model=BatchResult,
        responses=posting_responses("BatchResult", HTTPStatus.MULTI_STATUS),
        openapi_extra=request_body(many=True),
    )
    async def post_batch(
        request: Request, auth: Auth, content_type: ContentType = None
    ) -> JSONResponse:
        converted = await converted_for(auth, content_type, settings.ingest_max_batch)
        results = await submit(request, converted)
        counts = Counter(result.outcome for result in results)
        batch = BatchResult(
            results=results,
            started=counts[IngestOutcome.STARTED],
            duplicates=counts[IngestOutcome.DUPLICATE],
            skipped=counts[IngestOutcome.SKIPPED],
            rejected=counts[IngestOutcome.REJECTED],
            unavailable=counts[IngestOutcome.UNAVAILABLE],
            failed=counts[IngestOutcome.FAILED],
        )
        statuses = {result.status for result in results}
        status = statuses.pop() if len(statuses) == 1 else HTTPStatus.MULTI_STATUS
        return JSONResponse(
            batch.model_dump(mode="json", exclude_none=True),
            status_code=status if results else HTTPStatus.OK,
            headers=_retry_after(IngestOutcome.UNAVAILABLE)
            if counts[IngestOutcome.UNAVAILABLE]
            else {},
        )

    @app.get(
        "/v1/transactions/{workflow_id}",
        tags=["transactions"],
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
            raise _unavailable(error) from None

    @app.get(
        "/healthz",
        tags=["operations"],
        summary="200 when Temporal answers",
        response_model=Health,
        responses=health_responses(),
    )
    async def healthz() -> JSONResponse:
        try:
            serving = await client.service_client.check_health(timeout=timedelta(seconds=2))
        except RPCError:
            serving = False
        health = Health(status="ok" if serving else "unavailable", temporal=client.namespace)
        return JSONResponse(
            health.model_dump(),
            status_code=HTTPStatus.OK if serving else HTTPStatus.SERVICE_UNAVAILABLE,
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics of this process (requests, rejects; in ``tillsync dev`` also the
        in-process worker's counters)."""
        return metrics_response()

    app.add_middleware(CountRequests)
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app


def _problem(
    status: HTTPStatus,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    problem = Problem(status=status, title=status.phrase, detail=detail, errors=errors or [])
    return JSONResponse(
        problem.model_dump(mode="json"),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _unavailable(error: RPCError) -> Refusal:
    return Refusal(
        HTTPStatus.SERVICE_UNAVAILABLE,
        f"Temporal did not answer: {error.message}",
        headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
    )


def _retry_after(outcome: IngestOutcome) -> dict[str, str]:
    return {"Retry-After": RETRY_AFTER_UNAVAILABLE} if outcome is IngestOutcome.UNAVAILABLE else {}
