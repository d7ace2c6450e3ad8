"""The gate every ``/v1`` request passes: timestamp, body (size and time capped), signature
over the request line and body, then the store's rate. What it learnt is kept on the
request's state, so a refusal can be recorded with its store and the start of its body."""

import logging
import time
from http import HTTPStatus
from typing import Annotated

from fastapi import Header, Request
from pydantic import BaseModel

from domain.settings import Settings
from starter.ingest.auth import (
    SIGNATURE_HEADER,
    STORE_HEADER,
    TIMESTAMP_HEADER,
    AuthFailure,
    StoreSecrets,
    check_signature,
    check_timestamp,
)
from starter.ingest.handling import Refusal
from starter.ingest.limits import BodyTooLarge, BodyTooSlow, ClientGone, RateLimiter, read_body

log = logging.getLogger(__name__)


class Authenticated(BaseModel):
    store_id: str
    body: bytes


def signed_path(request: Request) -> str:
    """The path as the client sent it, with ``?query`` when there is one."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    query = request.scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def request_source(request: Request) -> str:
    """How a recorded reject names where it came from."""
    store = getattr(request.state, "store_id", None)
    claimed = request.headers.get(STORE_HEADER)
    who = f"store {store}" if store else f"unverified store {claimed or '(none)'}"
    return f"http {request.method} {request.url.path} {who}"


class Gate:
    def __init__(self, settings: Settings, secrets: StoreSecrets) -> None:
        self._settings = settings
        self._secrets = secrets
        self._limiter = RateLimiter(settings.ingest_requests_per_second, settings.ingest_burst)

    async def __call__(
        self,
        request: Request,
        store_id: Annotated[str | None, Header(alias=STORE_HEADER)] = None,
        timestamp: Annotated[str | None, Header(alias=TIMESTAMP_HEADER)] = None,
        signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
    ) -> Authenticated:
        settings = self._settings
        try:
            check_timestamp(
                timestamp,
                now=time.time(),
                max_age_seconds=settings.ingest_signature_max_age_seconds,
            )
            body = await read_body(
                request,
                settings.ingest_max_body_bytes,
                within_seconds=settings.ingest_body_timeout_seconds,
            )
            assert timestamp is not None
            store = check_signature(
                self._secrets,
                store_id,
                (request.method, signed_path(request)),
                timestamp,
                signature,
                body,
            )
        except AuthFailure as failure:
            raise Refusal(
                HTTPStatus.UNAUTHORIZED,
                str(failure),
                headers={"WWW-Authenticate": "X-Tillsync-Signature"},
            ) from None
        except BodyTooLarge as error:
            raise Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, str(error)) from None
        except BodyTooSlow as error:
            raise Refusal(HTTPStatus.REQUEST_TIMEOUT, str(error)) from None
        except ClientGone:
            log.info("a client of %s closed the connection mid-request", request_source(request))
            raise Refusal(
                HTTPStatus.BAD_REQUEST, "the client closed the connection", recorded=False
            ) from None
        request.state.store_id = store
        request.state.body = body
        wait = self._limiter.retry_after(store)
        if wait is not None:
            raise Refusal(
                HTTPStatus.TOO_MANY_REQUESTS,
                f"store {store} sends more than {settings.ingest_requests_per_second:g}"
                " requests per second",
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        return Authenticated(store_id=store, body=body)
