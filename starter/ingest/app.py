"""The ingest's routes. Its OpenAPI document is served at /openapi.json (browse it at /docs).

- ``POST /v1/transactions``: one transaction. 202 with the workflow id once Temporal accepted
  the start; 200 with the existing workflow id for a duplicate; 422 with field-level errors.
- ``POST /v1/transactions:batch``: many; one result per record, and the status they share
  (207 when they differ).
- ``GET /v1/transactions/{workflow_id}``: the run's stage and outcome, from its query.
- ``GET /healthz``: 200 when Temporal answers, else 503.

Every ``/v1`` request is signed (see ``auth``); refusals are ``application/problem+json``:
400 unreadable body, 401 signature, 403 another store's transaction, 413 body or batch too
large, 415 content type, 429 rate (with Retry-After), 503 Temporal unavailable.
"""

import time
from collections import Counter
from datetime import timedelta
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from connectors.pos.base import FieldError
from domain.outcomes import SyncStatus
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.ingest.auth import (
    SIGNATURE_HEADER,
    STORE_HEADER,
    TIMESTAMP_HEADER,
    AuthFailure,
    StoreSecrets,
    check_signature,
    check_timestamp,
)
from starter.ingest.handling import ROOT_FIELD, Converted, Ingest, Refusal, check_store, convert
from starter.ingest.limits import BodyTooLarge, RateLimiter, read_body
from starter.ingest.models import BatchResult, Health, IngestOutcome, ItemResult, Problem
from starter.intake import Intake
from workflows import search_attributes as attrs
from workflows.pos_transaction import PosTransactionWorkflow

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_UNAVAILABLE = "5"


class Authenticated(BaseModel):
    store_id: str
    body: bytes


def create_app(
    settings: Settings, client: Client, intake: Intake, secrets: StoreSecrets
) -> FastAPI:
    app = FastAPI(
        title="tillsync POS ingest",
        version="1",
        description=__doc__,
        openapi_tags=[{"name": "transactions"}, {"name": "operations"}],
    )
    limiter = RateLimiter(settings.ingest_requests_per_second, settings.ingest_burst)
    ingest = Ingest(intake)
    max_bytes = settings.ingest_max_body_bytes

    @app.exception_handler(Refusal)
    async def _refused(request: Request, refusal: Refusal) -> JSONResponse:
        return _problem(refusal.status, refusal.detail, refusal.errors, refusal.headers)

    async def authenticated(
        request: Request,
        store_id: Annotated[str | None, Header(alias=STORE_HEADER)] = None,
        timestamp: Annotated[str | None, Header(alias=TIMESTAMP_HEADER)] = None,
        signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
    ) -> Authenticated:
        """Signature and timestamp first, then the body (size-capped), then the store's rate."""
        try:
            check_timestamp(
                timestamp,
                now=time.time(),
                max_age_seconds=settings.ingest_signature_max_age_seconds,
            )
            body = await read_body(request, max_bytes)
            assert timestamp is not None
            store = check_signature(secrets, store_id, timestamp, signature, body)
        except AuthFailure as failure:
            raise Refusal(
                HTTPStatus.UNAUTHORIZED,
                str(failure),
                headers={"WWW-Authenticate": "X-Tillsync-Signature"},
            ) from None
        except BodyTooLarge as error:
            raise Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, str(error)) from None
        wait = limiter.retry_after(store)
        if wait is not None:
            raise Refusal(
                HTTPStatus.TOO_MANY_REQUESTS,
                f"store {store} sends more than {settings.ingest_requests_per_second:g}"
                " requests per second",
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        return Authenticated(store_id=store, body=body)

    Auth = Annotated[Authenticated, Depends(authenticated)]
    ContentType = Annotated[str | None, Header(alias="Content-Type")]

    def converted_for(auth: Authenticated, content_type: str | None) -> Converted:
        converted = convert(auth.body, content_type, max_bytes=max_bytes)
        check_store(auth.store_id, converted)
        return converted

    @app.post(
        "/v1/transactions",
        tags=["transactions"],
        summary="Post one completed transaction",
        status_code=HTTPStatus.ACCEPTED,
        response_model=ItemResult,
        responses=_responses(HTTPStatus.OK, HTTPStatus.UNPROCESSABLE_ENTITY),
        openapi_extra=_request_body(many=False),
    )
    async def post_transaction(auth: Auth, content_type: ContentType = None) -> JSONResponse:
        converted = converted_for(auth, content_type)
        if converted.postable_count > 1:
            raise Refusal(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "this endpoint takes one transaction; post several to /v1/transactions:batch",
                errors=[FieldError(field=ROOT_FIELD, reason="more than one transaction")],
            )
        results = await ingest.submit(converted)
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
        responses=_responses(HTTPStatus.OK, HTTPStatus.MULTI_STATUS),
        openapi_extra=_request_body(many=True),
    )
    async def post_batch(auth: Auth, content_type: ContentType = None) -> JSONResponse:
        converted = converted_for(auth, content_type)
        if converted.record_count > settings.ingest_max_batch:
            raise Refusal(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the batch has {converted.record_count} records; at most"
                f" {settings.ingest_max_batch} per request",
            )
        results = await ingest.submit(converted)
        counts = Counter(result.outcome for result in results)
        batch = BatchResult(
            results=results,
            started=counts[IngestOutcome.STARTED],
            duplicates=counts[IngestOutcome.DUPLICATE],
            skipped=counts[IngestOutcome.SKIPPED],
            rejected=counts[IngestOutcome.REJECTED],
            unavailable=counts[IngestOutcome.UNAVAILABLE],
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
        responses=_responses(HTTPStatus.NOT_FOUND),
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
        responses=_responses(HTTPStatus.SERVICE_UNAVAILABLE),
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

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
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


_REFUSALS = (
    HTTPStatus.BAD_REQUEST,
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    HTTPStatus.TOO_MANY_REQUESTS,
    HTTPStatus.SERVICE_UNAVAILABLE,
)


def _responses(*extra: HTTPStatus) -> dict[int | str, dict[str, Any]]:
    documented: dict[int | str, dict[str, Any]] = {
        status.value: {
            "description": status.phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in _REFUSALS
    }
    for status in extra:
        documented.setdefault(status.value, {"description": status.phrase})
    return documented


def _request_body(*, many: bool) -> dict[str, Any]:
    canonical: dict[str, Any] = {"$ref": "#/components/schemas/PosTransaction"}
    if many:
        canonical = {"type": "array", "items": canonical}
    return {
        "requestBody": {
            "required": True,
            "description": "Canonical JSON, an ARTS POSLog document or Sitoo orders, by"
            " Content-Type; signed with the X-Tillsync-* headers.",
            "content": {
                "application/json": {"schema": canonical},
                "application/xml": {"schema": {"type": "string", "description": "ARTS POSLog"}},
                "application/vnd.sitoo+json": {
                    "schema": {"type": "object", "description": "Sitoo REST API v2 orders"}
                },
            },
        }
    }


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the canonical transaction and Problem schemas it refers to."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in (PosTransaction, Problem):
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        app.openapi_schema = document
    return app.openapi_schema
