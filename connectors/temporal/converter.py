"""The one data converter every tillsync client and worker uses: pydantic payloads, encrypted
by the codec, failure messages and stack traces moved into the (encrypted) payloads too.

Keys come from TILLSYNC_CODEC_KEYS, else from the keys file (TILLSYNC_CODEC_KEYS_FILE,
default ``codec-keys`` in the data folder, which ``tillsync dev`` creates). Without keys a
process refuses to start unless TILLSYNC_CODEC=off says Temporal may hold payloads in clear.
"""

import dataclasses
import os
import secrets
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from connectors.temporal.codec import EncryptionCodec
from connectors.temporal.keyring import KeyRing, KeyRingError, new_key_line
from domain.settings import Settings


class CodecNotConfigured(RuntimeError):
    """Encryption is on and no key is configured."""


def key_ring(settings: Settings) -> KeyRing | None:
    """The configured keys; None when the codec is off."""
    if settings.codec == "off":
        return None
    text = settings.codec_keys.get_secret_value()
    if not text:
        text = _keys_file_text(settings)
    try:
        return KeyRing.parse(text, settings.codec_key_id)
    except KeyRingError as error:
        raise CodecNotConfigured(
            f"payload encryption: {error}. Set TILLSYNC_CODEC_KEYS (id:base64 of 32 random"
            " bytes) or TILLSYNC_CODEC_KEYS_FILE; TILLSYNC_CODEC=off stores payloads in clear"
        ) from None


def _keys_file_text(settings: Settings) -> str:
    path = settings.resolved_codec_keys_file
    try:
        return path.read_text()
    except FileNotFoundError:
        if settings.codec_keys_file is not None:
            raise CodecNotConfigured(f"the payload keys file {path} does not exist") from None
        return ""


def codec(settings: Settings) -> EncryptionCodec | None:
    ring = key_ring(settings)
    return None if ring is None else EncryptionCodec(ring)


def data_converter(settings: Settings) -> DataConverter:
    payload_codec = codec(settings)
    if payload_codec is None:
        return pydantic_data_converter
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=payload_codec,
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def ensure_dev_key(settings: Settings) -> Path | None:
    """For the embedded stack: when encryption is on and no key is configured, write a fresh
    random key to the data folder's keys file (readable by its owner only). The file it
    wrote, or None when keys were configured already."""
    if settings.codec == "off" or settings.codec_keys.get_secret_value():
        return None
    path = settings.resolved_codec_keys_file
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as keys_file:
        keys_file.write(new_key_line(f"dev-{secrets.token_hex(3)}") + "\n")
    return path
