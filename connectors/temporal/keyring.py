"""Payload keys by id: ``id:base64,id:base64`` (32-byte keys), one of them current.

A key ring never shows its keys: its repr and every error name key ids only.
"""

import base64
import binascii
import re
import secrets
from dataclasses import dataclass, field

KEY_BYTES = 32
"""AES-256"""
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class KeyRingError(ValueError):
    """The configured keys cannot be used; the message names key ids, never key material."""


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        if self.current_id not in self.keys:
            raise KeyRingError(
                f"the current key id {self.current_id!r} is not among the configured keys"
                f" ({', '.join(sorted(self.keys)) or 'none'})"
            )

    @classmethod
    def parse(cls, text: str, current_id: str = "") -> "KeyRing":
        """Keys from ``id:base64`` items separated by commas or new lines. Without a current
        id, a single key is current; several keys need one named."""
        keys: dict[str, bytes] = {}
        for item in re.split(r"[,\n]", text):
            item = item.strip()
            if not item or item.startswith("#"):
                continue
            key_id, separator, encoded = item.partition(":")
            key_id = key_id.strip()
            if not separator or not _KEY_ID.fullmatch(key_id):
                raise KeyRingError(
                    "each key is id:base64, the id 1-64 letters, digits, '.', '_' or '-'"
                    f" (item {len(keys) + 1} is not)"
                )
            if key_id in keys:
                raise KeyRingError(f"key id {key_id!r} is configured twice")
            keys[key_id] = _decoded_key(key_id, encoded.strip())
        if not keys:
            raise KeyRingError("no payload key is configured")
        if not current_id:
            if len(keys) > 1:
                raise KeyRingError(
                    "several payload keys are configured: name the current one"
                    " (TILLSYNC_CODEC_KEY_ID)"
                )
            current_id = next(iter(keys))
        return cls(current_id, keys)

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current_id]

    @property
    def ids(self) -> list[str]:
        return sorted(self.keys)


def _decoded_key(key_id: str, encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise KeyRingError(f"key {key_id!r} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyRingError(f"key {key_id!r} is {len(key)} bytes; AES-256 needs {KEY_BYTES}")
    return key


def new_key_line(key_id: str) -> str:
    """A fresh random key as ``id:base64`` (what ``tillsync dev`` keeps in its data folder)."""
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"
