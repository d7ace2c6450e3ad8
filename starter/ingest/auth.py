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

import hmac

from pydantic import SecretStr

from connectors.tills.secrets import StoreSecrets as StoreSecrets
from domain.signing import SIGNATURE_HEADER as SIGNATURE_HEADER
from domain.signing import SIGNATURE_SCHEME as SIGNATURE_SCHEME
from domain.signing import STORE_HEADER as STORE_HEADER
from domain.signing import TIMESTAMP_HEADER as TIMESTAMP_HEADER
from domain.signing import signature as signature


class AuthFailure(Exception):
    """Why a request is not authenticated (the reason is safe to send back)."""


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
