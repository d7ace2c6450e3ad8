"""POST /encode and /decode (also under /{namespace}/ for the CLI's templated endpoint):
``{"payloads": [...]}`` in proto3 JSON in and out, as Temporal's UI and CLI send it."""

from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from starlette.middleware.cors import CORSMiddleware
from temporalio.api.common.v1 import Payload, Payloads

from connectors.temporal import EncryptionCodec, PayloadKeyError
from starter.codec_server.access import CodecAccess

Transform = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]


def create_codec_app(
    codec: EncryptionCodec, access: CodecAccess, namespace: str, max_body_bytes: int
) -> FastAPI:
    app = FastAPI(title="tillsync codec server", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=sorted(access.origins),
        allow_methods=["POST"],
        allow_headers=["Authorization", "Content-Type", "X-Namespace"],
        allow_credentials=True,
        max_age=600,
    )

    async def answer(request: Request, transform: Transform, path_ns: str = "") -> JSONResponse:
        refusal = await _refusal(request, access, namespace, path_ns, max_body_bytes)
        if refusal is not None:
            return refusal
        body = await request.body()
        if len(body) > max_body_bytes:
            return _error(413, f"the body is over {max_body_bytes} bytes")
        try:
            payloads = json_format.Parse(body, Payloads())
        except json_format.ParseError:
            return _error(400, 'the body is not {"payloads": [...]} in proto3 JSON')
        try:
            result = await transform(payloads.payloads)
        except PayloadKeyError as error:
            return _error(422, str(error), key_id=error.key_id)
        return JSONResponse(json_format.MessageToDict(Payloads(payloads=result)))

    @app.post("/encode")
    async def encode(request: Request) -> JSONResponse:
        return await answer(request, codec.encode)

    @app.post("/decode")
    async def decode(request: Request) -> JSONResponse:
        return await answer(request, codec.decode)

    @app.post("/{path_ns}/encode")
    async def encode_in(request: Request, path_ns: str) -> JSONResponse:
        return await answer(request, codec.encode, path_ns)

    @app.post("/{path_ns}/decode")
    async def decode_in(request: Request, path_ns: str) -> JSONResponse:
        return await answer(request, codec.decode, path_ns)

    return app


async def _refusal(
    request: Request, access: CodecAccess, namespace: str, path_ns: str, max_body_bytes: int
) -> JSONResponse | None:
    origin = request.headers.get("origin")
    if not access.origin_allowed(origin):
        return _error(403, f"origin {origin} is not allowed")
    refused = await access.refusal(request.headers.get("authorization"), origin)
    if refused is not None:
        challenge = {"WWW-Authenticate": refused.challenge} if refused.challenge else None
        return _error(refused.status, refused.message, challenge)
    asked = path_ns or request.headers.get("x-namespace", "")
    if asked and asked != namespace:
        return _error(403, f"this codec server serves namespace {namespace!r} only")
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > max_body_bytes:
        return _error(413, f"the body is over {max_body_bytes} bytes")
    return None


def _error(
    status: int, message: str, headers: dict[str, str] | None = None, key_id: str | None = None
) -> JSONResponse:
    body: dict[str, str] = {"error": message}
    if key_id is not None:
        body["key_id"] = key_id
    return JSONResponse(body, status_code=status, headers=headers)
