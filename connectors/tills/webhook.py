"""A store's webhook: tillsync POSTs JSON to it, signed with the store's secret exactly as the
ingest checks what the store's tills send (domain/signing.py), with ``X-Tillsync-Event``
naming what the body is (``masterdata`` or ``available``)."""

import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from connectors.http_client import UntornClient
from connectors.tills.secrets import StoreSecrets
from domain.settings import StoreChannel
from domain.signing import SIGNATURE_HEADER, STORE_HEADER, TIMESTAMP_HEADER, signature

EVENT_HEADER = "X-Tillsync-Event"


class WebhookFailed(Exception):
    """The webhook did not take the body: no answer, or an answer other than 2xx."""


class TillWebhooks:
    def __init__(
        self, channels: dict[str, StoreChannel], secrets: StoreSecrets, timeout: float = 10.0
    ) -> None:
        self._channels = channels
        self._secrets = secrets
        self._client = UntornClient(timeout=timeout)

    def channel(self, store_id: str) -> StoreChannel:
        return self._channels.get(store_id) or StoreChannel()

    def has_webhook(self, store_id: str) -> bool:
        return bool(self.channel(store_id).webhook_url)

    async def send(self, store_id: str, event: str, document: Any) -> None:
        url = self.channel(store_id).webhook_url
        secret = self._secrets.secret_of(store_id)
        if not url:
            raise WebhookFailed(f"store {store_id} has no webhook")
        if secret is None:
            raise WebhookFailed(f"store {store_id} has no secret to sign its webhook with")
        body = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
        parts = urlsplit(url)
        path = f"{parts.path or '/'}?{parts.query}" if parts.query else parts.path or "/"
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            STORE_HEADER: store_id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(secret, "POST", path, timestamp, body),
            EVENT_HEADER: event,
        }
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise WebhookFailed(f"store {store_id}'s webhook did not answer: {error!r}") from error
        if not response.is_success:
            raise WebhookFailed(
                f"store {store_id}'s webhook answered {response.status_code}: {response.text[:200]}"
            )

    async def aclose(self) -> None:
        await self._client.aclose()
