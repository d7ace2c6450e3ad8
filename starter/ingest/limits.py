"""Limits that keep one till from hurting the others: body size and time, request rate per store."""

import asyncio
import time
from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is larger than {limit} bytes")
        self.limit = limit


class BodyTooSlow(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"the body did not arrive within {seconds:g} s")


class ClientGone(Exception):
    """The client closed the connection before its body arrived."""


async def read_body(request: Request, limit: int, *, within_seconds: float) -> bytes:
    """The request body, refused as soon as it is known to exceed ``limit`` bytes (from
    Content-Length before reading, else while streaming it), or to arrive too slowly."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    body = bytearray()
    try:
        async with asyncio.timeout(within_seconds):
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise BodyTooLarge(limit)
    except TimeoutError:
        raise BodyTooSlow(within_seconds) from None
    except ClientDisconnect:
        raise ClientGone from None
    return bytes(body)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per store: ``burst`` requests at once, refilled at ``per_second``."""

    def __init__(self, per_second: float, burst: int) -> None:
        self._per_second = per_second
        self._burst = burst
        self._buckets: dict[str, _Bucket] = {}

    def retry_after(self, store_id: str, now: float | None = None) -> float | None:
        """Take one request from the store's bucket; None if allowed, else seconds to wait."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.setdefault(store_id, _Bucket(float(self._burst), now))
        bucket.tokens = min(
            float(self._burst), bucket.tokens + (now - bucket.updated) * self._per_second
        )
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return (1 - bucket.tokens) / self._per_second
