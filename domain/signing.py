"""The per-store request signature: HMAC-SHA256 over the timestamp, method, path and body.

The message is ``timestamp "\\n" METHOD "\\n" path "\\n" body`` (the path as sent, with its
``?query``), so a signature is good for one method, path and body only. Tills sign what they
send to the ingest with it, and tillsync signs what it sends to a store's webhook the same way.
"""

import hashlib
import hmac

from pydantic import SecretStr

STORE_HEADER = "X-Tillsync-Store"
TIMESTAMP_HEADER = "X-Tillsync-Timestamp"
SIGNATURE_HEADER = "X-Tillsync-Signature"
SIGNATURE_SCHEME = "sha256="


def signature(secret: SecretStr, method: str, path: str, timestamp: str, body: bytes) -> str:
    """The X-Tillsync-Signature value for ``method path`` with ``body``, sent at ``timestamp``
    (unix seconds)."""
    message = f"{timestamp}\n{method.upper()}\n{path}\n".encode() + body
    digest = hmac.new(secret.get_secret_value().encode(), message, hashlib.sha256)
    return SIGNATURE_SCHEME + digest.hexdigest()
