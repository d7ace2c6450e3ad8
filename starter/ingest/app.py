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

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from temporalio.client import Client

from domain.settings import Settings
from observability.ingest_metrics import CountRequests, count_refusal
from starter.ingest.answers import problem
from starter.ingest.auth import StoreSecrets
from starter.ingest.gate import Authenticated, Gate, request_source
from starter.ingest.handling import Ingest, Refusal
from starter.ingest.openapi import openapi_document
from starter.ingest.operations_routes import operations_router
from starter.ingest.rejects import RejectLog
from starter.ingest.stock_routes import stock_event_router
from starter.ingest.till_feeds import till_feed_router
from starter.ingest.transaction_routes import transaction_router
from starter.intake.stock_submission import StockSubmitter
from starter.intake.ticket_intake import Intake


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
    routes are not served. The routes live in routers (``transaction_routes``,
    ``stock_routes``, ``till_feeds``, ``operations_routes``); this module's docstring is the
    OpenAPI description."""
    app = FastAPI(
        title="tillsync POS ingest",
        version="1",
        description=__doc__,
        openapi_tags=[{"name": "transactions"}, {"name": "tills"}, {"name": "operations"}],
    )
    rejects = RejectLog(settings.rejects_file)

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
        return problem(refusal.status, refusal.detail, refusal.errors, refusal.headers)

    gate = Gate(settings, secrets)
    if stock_submitter is not None:
        app.include_router(
            stock_event_router(gate, stock_submitter, rejects, settings.ingest_max_batch)
        )
    if engine is not None:
        app.include_router(till_feed_router(Annotated[Authenticated, Depends(gate)], engine))
    app.include_router(
        transaction_router(
            client,
            Ingest(intake),
            gate,
            rejects,
            max_body_bytes=settings.ingest_max_body_bytes,
            max_batch=settings.ingest_max_batch,
        )
    )
    app.include_router(operations_router(client))
    app.add_middleware(CountRequests)
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app
