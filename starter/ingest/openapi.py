"""The ingest's OpenAPI document: the routes' refusals as Problems, the request bodies by
content type, and the canonical transaction's schema."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from domain.transaction import PosTransaction
from starter.ingest.models import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"

REFUSALS = (
    HTTPStatus.BAD_REQUEST,
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.REQUEST_TIMEOUT,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    HTTPStatus.TOO_MANY_REQUESTS,
    HTTPStatus.SERVICE_UNAVAILABLE,
)


def responses(*extra: HTTPStatus) -> dict[int | str, dict[str, Any]]:
    documented: dict[int | str, dict[str, Any]] = {
        status.value: {
            "description": status.phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in REFUSALS
    }
    for status in extra:
        documented.setdefault(status.value, {"description": status.phrase})
    return documented


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
        for model in (PosTransaction, Problem):
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        app.openapi_schema = document
    return app.openapi_schema
