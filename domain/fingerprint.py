"""A payload's fingerprint: the claim of a ticket or a stock event keeps it, so a second
arrival of the same id tells a resend (same fingerprint) from a different payload."""

import hashlib

from pydantic import BaseModel


def payload_hash(payload: BaseModel) -> str:
    """SHA-256 of the payload's canonical JSON, in hex."""
    return hashlib.sha256(payload.model_dump_json().encode()).hexdigest()
