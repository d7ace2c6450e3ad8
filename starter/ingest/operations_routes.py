"""``/healthz`` (200 when Temporal answers) and ``/metrics`` (Prometheus)."""

from datetime import timedelta
from http import HTTPStatus

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from temporalio.client import Client
from temporalio.service import RPCError

from observability.ingest_metrics import metrics_response
from starter.ingest.models import Health
from starter.ingest.openapi import health_responses


def operations_router(client: Client) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get(
        "/healthz",
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

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics of this process (requests, rejects; in ``tillsync dev`` also the
        in-process worker's counters)."""
        return metrics_response()

    return router
