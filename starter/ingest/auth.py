"""Per-store request signatures: HMAC-SHA256 over the timestamp, method, path and body.

A till sends three headers::

    X-Tillsync-Store: <store id>
    X-Tillsync-Timestamp: <unix seconds>
    X-Tillsync-Signature: sha256=<hex HMAC-SHA256(secret, signed message)>

where the signed message is ``timestamp "\n" METHOD "\n" path "\n" body``: the timestamp as
sent, the method in capitals, the path as sent (with ``?query`` when there is one), then the
body's bytes. A signature for one request is worth nothing for another path or method.

The secret is the store's, from configuration (``TILLSYNC_STORE_SECRETS`` or the JSON file
``TILLSYNC_INGEST_SECRETS_FILE``), never from the request. A timestamp outside the window
(either way) is refused, so a captured request cannot be replayed later; within the window a
replay is harmless, because a transaction posted twice is started once.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from domain.settings import Settings

STORE_HEADER = "X-Tillsync-Store"
TIMESTAMP_HEADER = "X-Tillsync-Timestamp"
SIGNATURE_HEADER = "X-Tillsync-Signature"
SIGNATURE_SCHEME = "sha256="


class AuthFailure(Exception):
    """Why a request is not authenticated (the reason is safe to send back)."""


class StoreSecrets:
    """The secret of each store allowed to post. Its repr never shows a secret."""

    def __init__(self, secrets: Mapping[str, SecretStr]) -> None:
        self._secrets = dict(secrets)

    @classmethod
    def from_settings(cls, settings: Settings) -> "StoreSecrets":
        """Secrets from the JSON file and from the JSON setting (the setting wins)."""
        merged: dict[str, SecretStr] = {}
        if settings.ingest_secrets_file:
            merged |= _parse(settings.ingest_secrets_file.read_text(), settings.ingest_secrets_file)
        if settings.store_secrets.get_secret_value():
            merged |= _parse(settings.store_secrets.get_secret_value(), "TILLSYNC_STORE_SECRETS")
        return cls(merged)

    @property
    def stores(self) -> list[str]:
        return sorted(self._secrets)

    def secret_of(self, store_id: str) -> SecretStr | None:
        return self._secrets.get(store_id)

    def __repr__(self) -> str:
        return f"StoreSecrets(stores={self.stores})"


def _parse(text: str, source: Path | str) -> dict[str, SecretStr]:
    try:
        document = json.loads(text)
    except ValueError:
        raise ValueError(f"{source}: store secrets must be a JSON object") from None
    if not isinstance(document, dict) or not all(
        isinstance(key, str) and isinstance(value, str) and value for key, value in document.items()
    ):
        raise ValueError(f'{source}: expected {{"store_id": "secret", ...}} with non-empty secrets')
    return {store_id: SecretStr(secret) for store_id, secret in document.items()}


def signature(secret: SecretStr, method: str, path: str, timestamp: str, body: bytes) -> str:
    """The X-Tillsync-Signature value for ``method path`` with ``body``, sent at ``timestamp``
    (unix seconds)."""
    message = f"{timestamp}\n{method.upper()}\n{path}\n".encode() + body
    digest = hmac.new(secret.get_secret_value().encode(), message, hashlib.sha256)
    return SIGNATURE_SCHEME + digest.hexdigest()


def check_timestamp(timestamp: str | None, *, now: float, max_age_seconds: int) -> None:
    if not timestamp:
        raise AuthFailure(f"missing {TIMESTAMP_HEADER}")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise AuthFailure(f"{TIMESTAMP_HEADER} must be unix seconds") from None
    if abs(now - sent_at) > max_age_seconds:
        raise AuthFailure(
            f"{TIMESTAMP_HEADER} is more than {max_age_seconds} s away from the server's clock"
        )


def check_signature(
    secrets: StoreSecrets,
    store_id: str | None,
    request_line: tuple[str, str],
    timestamp: str,
    signature_header: str | None,
    body: bytes,
) -> str:
    """The authenticated store id, or AuthFailure. Compares in constant time."""
    if not store_id:
        raise AuthFailure(f"missing {STORE_HEADER}")
    if not signature_header:
        raise AuthFailure(f"missing {SIGNATURE_HEADER}")
    secret = secrets.secret_of(store_id)
    # An unknown store is checked against a throwaway secret, so both fail alike.
    method, path = request_line
    expected = signature(secret or SecretStr(store_id + "\0unknown"), method, path, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature_header.strip().encode()) or not secret:
        raise AuthFailure("the signature does not match the store, request and body")
    return store_id
