"""AES-256-GCM payload codec: each payload is encrypted whole (metadata and data) under the
current key, the key's id in the clear metadata, so a key can rotate: new payloads take the
new current key, old ones decode with any configured key by its id.

A payload without this codec's encoding (histories written before encryption was on) passes
through decoding unchanged.
"""

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from connectors.temporal.keyring import KeyRing

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
CIPHER = "encryption-cipher"
CIPHER_NAME = b"AES-256-GCM"
_NONCE_BYTES = 12


class PayloadKeyError(ValueError):
    """A payload cannot be decrypted: its key is not configured, or the key is wrong."""

    def __init__(self, key_id: str, message: str) -> None:
        super().__init__(message)
        self.key_id = key_id


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: KeyRing) -> None:
        self._keys = keys
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.keys.items()}

    def __repr__(self) -> str:
        return f"EncryptionCodec(current={self._keys.current_id!r}, keys={self._keys.ids})"

    @property
    def current_key_id(self) -> str:
        return self._keys.current_id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(payload) for payload in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self._keys.current_id
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), key_id.encode())
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: key_id.encode(), CIPHER: CIPHER_NAME},
            data=nonce + sealed,
        )

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PayloadKeyError(
                key_id,
                f"payload encrypted with key {key_id!r}, which is not configured"
                f" (configured: {', '.join(self._keys.ids)}); add it to TILLSYNC_CODEC_KEYS",
            )
        nonce, sealed = payload.data[:_NONCE_BYTES], payload.data[_NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, key_id.encode())
        except InvalidTag:
            raise PayloadKeyError(
                key_id,
                f"payload encrypted with key {key_id!r} does not decrypt with the configured"
                f" key {key_id!r}: wrong key material for that id, or the payload was altered",
            ) from None
        return Payload.FromString(plain)
