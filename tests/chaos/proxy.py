"""A fault-injecting HTTP proxy in front of the ERP: passes requests through, or for a while
answers some with 5xx before they reach the ERP, and lets others reach it but drops the answer
after a hang (the worker's call times out, though the ERP did the work)."""

import asyncio
import random
from dataclasses import dataclass, field

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connectors.http_client import UntornClient

_HOP_HEADERS = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}


@dataclass
class ProxyFaults:
    """What the proxy does to each request now; counts what it did."""

    error_share: float = 0.0
    """requests answered 503 without reaching the ERP"""
    timeout_share: float = 0.0
    """requests forwarded, whose answer is dropped after ``hang_seconds``"""
    hang_seconds: float = 35.0
    """beyond the connector's ERP timeout (30 s by default): the worker's call times out"""
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    injected_errors: int = 0
    injected_timeouts: int = 0
    forwarded: int = 0

    def clear(self) -> None:
        self.error_share = self.timeout_share = 0.0


class ErpProxy:
    def __init__(self, upstream: str, port: int, faults: ProxyFaults) -> None:
        self.upstream = upstream
        self.port = port
        self.faults = faults
        self._client = UntornClient(base_url=upstream, timeout=600)
        app = Starlette(
            routes=[Route("/{path:path}", self._forward, methods=["GET", "POST", "PUT", "DELETE"])]
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        for _ in range(600):  # uvicorn offers no event to wait on
            if self._server.started:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the ERP proxy did not start")

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
        await self._client.aclose()

    async def _forward(self, request: Request) -> Response:
        faults = self.faults
        draw = faults.rng.random()
        if draw < faults.error_share:
            faults.injected_errors += 1
            return Response("injected fault", status_code=503)
        drop = draw < faults.error_share + faults.timeout_share
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        try:
            answer = await self._client.request(
                request.method,
                request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                content=await request.body(),
                headers=headers,
            )
        except httpx.TransportError:
            return Response("the ERP is unreachable", status_code=502)
        faults.forwarded += 1
        if drop:
            faults.injected_timeouts += 1
            await asyncio.sleep(faults.hang_seconds)
            return Response("injected timeout", status_code=504)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_HEADERS}
        kept.pop("content-encoding", None)
        return Response(answer.content, status_code=answer.status_code, headers=kept)
