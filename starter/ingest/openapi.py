"""The ingest's OpenAPI document: every answer a route gives, with its media type and schema
(results as JSON, refusals as Problems), the request bodies by content type, and the
canonical transaction's schema. FastAPI's own 422 (a validation error of declared parameters)
is left out: the routes declare no parameter FastAPI could refuse."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from domain.stock_events import STOCK_EVENT_ADAPTER
from domain.transaction import PosTransaction
from starter.ingest.models import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"

GATE_REFUSALS = (
    HTTPStatus.BAD_REQUEST,
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.REQUEST_TIMEOUT,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    HTTPStatus.TOO_MANY_REQUESTS,
)
"""What the gate of every ``/v1`` request may refuse: a body cut short, the signature, a body
too slow or too large, the store's rate."""
BODY_REFUSALS = (HTTPStatus.FORBIDDEN, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
"""What reading a posted body may refuse besides: another store's records, a content type."""


def _retry_after(*, required: bool) -> dict[str, Any]:
    return {
        "Retry-After": {
            "description": "seconds to wait before sending it again",
            "required": required,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        }
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(status: HTTPStatus) -> dict[str, Any]:
    documented: dict[str, Any] = {
        "description": status.phrase,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": _ref("Problem")}},
    }
    if status is HTTPStatus.TOO_MANY_REQUESTS:
        documented["headers"] = _retry_after(required=True)
    return documented


def _refusals(*statuses: HTTPStatus) -> dict[int | str, dict[str, Any]]:
    return {status.value: _problem(status) for status in statuses}


def posting_responses(result: str, *shared: HTTPStatus) -> dict[int | str, dict[str, Any]]:
    """A POST's answers: the ``result`` model (ItemResult, BatchResult) for 200, 422, 500 and
    503 as for 202 and ``shared``, and Problems for a request refused as a whole (422 too: the
    body holds no transaction, or more than the endpoint takes)."""
    answers: dict[int | str, dict[str, Any]] = _refusals(*GATE_REFUSALS, *BODY_REFUSALS)
    results = (HTTPStatus.OK, *shared, HTTPStatus.INTERNAL_SERVER_ERROR)
    for status in (*results, HTTPStatus.SERVICE_UNAVAILABLE):
        answers[status.value] = {
            "description": status.phrase,
            "content": {"application/json": {"schema": _ref(result)}},
        }
    answers[HTTPStatus.SERVICE_UNAVAILABLE.value]["headers"] = _retry_after(required=True)
    answers[HTTPStatus.UNPROCESSABLE_ENTITY.value] = {
        "description": HTTPStatus.UNPROCESSABLE_ENTITY.phrase,
        "content": {
            "application/json": {"schema": _ref(result)},
            PROBLEM_MEDIA_TYPE: {"schema": _ref("Problem")},
        },
    }
    return answers


def reading_responses() -> dict[int | str, dict[str, Any]]:
    """A signed GET's answers besides 200: the gate's refusals, 404 and 503 as Problems."""
    answers = _refusals(*GATE_REFUSALS, HTTPStatus.NOT_FOUND, HTTPStatus.SERVICE_UNAVAILABLE)
    answers[HTTPStatus.SERVICE_UNAVAILABLE.value]["headers"] = _retry_after(required=True)
    return answers


def health_responses() -> dict[int | str, dict[str, Any]]:
    unavailable = HTTPStatus.SERVICE_UNAVAILABLE
    return {
        unavailable.value: {
            "description": unavailable.phrase,
            "content": {"application/json": {"schema": _ref("Health")}},
        }
    }


def request_body(*, many: bool) -> dict[str, Any]:
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


def stock_events_body() -> dict[str, Any]:
    event = {"$ref": "#/components/schemas/StockEvent"}
    return {
        "requestBody": {
            "required": True,
            "description": "Canonical JSON stock events (one, an array, or JSON lines), each"
            " told by its type; signed with the X-Tillsync-* headers.",
            "content": {
                "application/json": {
                    "schema": {"oneOf": [event, {"type": "array", "items": event}]}
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    }


def openapi_document(app: FastAPI) -> dict[str, Any]:
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
        _drop_fastapi_validation_errors(document)
        for model in (PosTransaction, Problem):
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        events = STOCK_EVENT_ADAPTER.json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(events.pop("$defs", {}))
        schemas["StockEvent"] = events
        app.openapi_schema = document
    return app.openapi_schema


def _drop_fastapi_validation_errors(document: dict[str, Any]) -> None:
    """FastAPI documents a 422 HTTPValidationError for any route with parameters; these routes'
    parameters are strings and headers it never refuses, and their 422 is a result or a
    Problem (``posting_responses``)."""
    fastapi_error = _ref("HTTPValidationError")
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            answers = operation.get("responses", {})
            unprocessable = answers.get("422", {}).get("content", {}).get("application/json")
            if unprocessable is not None and unprocessable.get("schema") == fastapi_error:
                del answers["422"]
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
