"""Temporal as tillsync uses it: the data converter every client and worker shares, whose
payload codec encrypts what Temporal stores (AES-256-GCM, keys by id so they can rotate)."""

from connectors.temporal.codec import EncryptionCodec, PayloadKeyError
from connectors.temporal.converter import CodecNotConfigured, data_converter, ensure_dev_key
from connectors.temporal.keyring import KeyRing, KeyRingError

__all__ = [
    "CodecNotConfigured",
    "EncryptionCodec",
    "KeyRing",
    "KeyRingError",
    "PayloadKeyError",
    "data_converter",
    "ensure_dev_key",
]
