"""Signed requests to the ingest, as a till sends them."""

import time
from typing import Any

import httpx
from pydantic import SecretStr

from starter.ingest.auth import SIGNATURE_HEADER, STORE_HEADER, TIMESTAMP_HEADER, signature

SECRETS = {
    "S001": "s001-till-secret",
    "S002": "s002-till-secret",
    "9": "store-9-secret",
    "SE-STO-01": "sitoo-store-secret",
}


def signed_headers(
    store_id: str,
    body: bytes,
    *,
    method: str = "POST",
    path: str = "/v1/transactions",
    secret: str | None = None,
    timestamp: int | None = None,
    content_type: str = "application/json",
) -> dict[str, str]:
    sent_at = str(int(time.time()) if timestamp is None else timestamp)
    key = SecretStr(secret if secret is not None else SECRETS[store_id])
    return {
        STORE_HEADER: store_id,
        TIMESTAMP_HEADER: sent_at,
        SIGNATURE_HEADER: signature(key, method, path, sent_at, body),
        "Content-Type": content_type,
    }


async def post_signed(
    http: httpx.AsyncClient,
    path: str,
    body: bytes,
    store_id: str,
    **options: Any,
) -> httpx.Response:
    headers = signed_headers(store_id, body, path=path, **options)
    return await http.post(path, content=body, headers=headers)


async def get_signed(http: httpx.AsyncClient, path: str, store_id: str) -> httpx.Response:
    return await http.get(path, headers=signed_headers(store_id, b"", method="GET", path=path))
