"""The ingest's metrics: requests by route and status, rejects by reason, and its /metrics."""

from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.responses import Response

from observability.metrics import INGEST_REJECTS, INGEST_REQUESTS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
UNMATCHED = "unmatched"
INVALID_RECORD = "invalid_record"
START_REFUSED = "start_refused"


class CountRequests:
    """ASGI middleware: counts each HTTP request by its route's template (never its path, which
    carries workflow ids) and the status answered."""

    def __init__(self, app: App) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        status = [HTTPStatus.INTERNAL_SERVER_ERROR.value]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", UNMATCHED)
            INGEST_REQUESTS.labels(template, str(status[0])).inc()


def count_refusal(status: HTTPStatus) -> None:
    """A request refused as a whole and recorded as a reject (400, 403, 413, 422)."""
    INGEST_REJECTS.labels(status.phrase.lower().replace(" ", "_")).inc()


def count_record_rejects(invalid: int, answered: int) -> None:
    """Records of an accepted request: ``invalid`` the adapter refused, the rest of the
    ``answered`` rejects refused by Temporal."""
    if invalid:
        INGEST_REJECTS.labels(INVALID_RECORD).inc(invalid)
    if answered > invalid:
        INGEST_REJECTS.labels(START_REFUSED).inc(answered - invalid)


def metrics_response() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
