"""The payload codec and its keys: rotation, refusals that name the key, nothing leaked."""

import base64
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload
from temporalio.converter import DefaultFailureConverterWithEncodedAttributes

from connectors.temporal import (
    CodecNotConfigured,
    EncryptionCodec,
    KeyRing,
    KeyRingError,
    PayloadKeyError,
    data_converter,
    ensure_dev_key,
)
from connectors.temporal.codec import ENCODING, KEY_ID
from domain.settings import Settings
from tests.codec_keys import OTHER_KEY_LINE, TEST_CODEC_KEYS

TICKET = Payload(metadata={"encoding": b"json/plain"}, data=b'{"transaction_id":"S1-T1-000042"}')
KEY_A = TEST_CODEC_KEYS.split(":", 1)[1]
KEY_B = OTHER_KEY_LINE.split(":", 1)[1]


def ring(text: str, current: str = "") -> KeyRing:
    return KeyRing.parse(text, current)


async def test_a_payload_is_encrypted_whole_under_the_current_key_and_decodes() -> None:
    codec = EncryptionCodec(ring(TEST_CODEC_KEYS))

    [sealed] = await codec.encode([TICKET])
    [opened] = await codec.decode([sealed])

    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID] == b"tests-1"
    assert b"S1-T1-000042" not in sealed.SerializeToString()
    assert b"json/plain" not in sealed.SerializeToString()
    assert opened == TICKET


async def test_two_encryptions_of_one_payload_differ() -> None:
    codec = EncryptionCodec(ring(TEST_CODEC_KEYS))

    first, second = await codec.encode([TICKET, TICKET])

    assert first.data != second.data


async def test_a_payload_written_in_clear_passes_through_decoding() -> None:
    codec = EncryptionCodec(ring(TEST_CODEC_KEYS))

    assert await codec.decode([TICKET]) == [TICKET]


async def test_a_rotated_key_still_decodes_what_the_old_key_encrypted() -> None:
    before = EncryptionCodec(ring(f"a:{KEY_A}"))
    [old] = await before.encode([TICKET])
    rotated = EncryptionCodec(ring(f"a:{KEY_A},b:{KEY_B}", current="b"))

    [new] = await rotated.encode([TICKET])

    assert await rotated.decode([old, new]) == [TICKET, TICKET]
    assert (old.metadata[KEY_ID], new.metadata[KEY_ID]) == (b"a", b"b")


async def test_a_payload_whose_key_is_not_configured_is_refused_naming_the_key() -> None:
    [sealed] = await EncryptionCodec(ring(f"a:{KEY_A}")).encode([TICKET])

    with pytest.raises(PayloadKeyError, match="key 'a', which is not configured") as refused:
        await EncryptionCodec(ring(f"b:{KEY_B}")).decode([sealed])

    assert refused.value.key_id == "a"


async def test_a_wrong_key_under_the_same_id_is_refused_naming_the_key() -> None:
    [sealed] = await EncryptionCodec(ring(f"a:{KEY_A}")).encode([TICKET])

    with pytest.raises(PayloadKeyError, match="key 'a' does not decrypt") as refused:
        await EncryptionCodec(ring(f"a:{KEY_B}")).decode([sealed])

    assert refused.value.key_id == "a"


async def test_a_payload_relabelled_with_another_key_id_is_refused() -> None:
    [sealed] = await EncryptionCodec(ring(f"a:{KEY_A}")).encode([TICKET])
    sealed.metadata[KEY_ID] = b"b"

    with pytest.raises(PayloadKeyError, match="key 'b'"):
        await EncryptionCodec(ring(f"a:{KEY_A},b:{KEY_A}", current="a")).decode([sealed])


@pytest.mark.parametrize(
    ("text", "current", "reason"),
    [
        ("", "", "no payload key"),
        ("a", "", "id:base64"),
        ("bad id:" + KEY_A, "", "id:base64"),
        ("a:not base64!", "", "'a' is not valid base64"),
        ("a:" + base64.b64encode(b"short").decode(), "", "'a' is 5 bytes; AES-256 needs 32"),
        (f"a:{KEY_A},a:{KEY_B}", "", "'a' is configured twice"),
        (f"a:{KEY_A},b:{KEY_B}", "", "name the current one"),
        (f"a:{KEY_A}", "c", "current key id 'c' is not among the configured keys"),
    ],
)
def test_keys_that_cannot_be_used_are_refused_with_the_reason(
    text: str, current: str, reason: str
) -> None:
    with pytest.raises(KeyRingError, match=reason) as refused:
        ring(text, current)

    assert KEY_A not in str(refused.value) and KEY_B not in str(refused.value)


def test_keys_never_show_in_a_repr() -> None:
    keys = ring(f"a:{KEY_A},b:{KEY_B}", current="b")
    settings = Settings(codec_keys=SecretStr(f"a:{KEY_A}"), codec_key_id="a")
    raw_a = base64.b64decode(KEY_A)

    shown = [repr(keys), str(keys), repr(EncryptionCodec(keys)), repr(settings), str(settings)]

    assert all(KEY_A not in text and str(raw_a) not in text for text in shown), shown
    assert "keys=['a', 'b']" in repr(EncryptionCodec(keys))


def test_without_keys_a_process_refuses_to_start_unless_the_codec_is_off(tmp_path: Path) -> None:
    bare = {"data_dir": tmp_path, "codec_keys": SecretStr("")}

    with pytest.raises(CodecNotConfigured, match="TILLSYNC_CODEC=off"):
        data_converter(Settings(**bare))  # type: ignore[arg-type]

    assert data_converter(Settings(**bare, codec="off")).payload_codec is None  # type: ignore[arg-type]


def test_an_explicit_keys_file_that_is_missing_is_refused(tmp_path: Path) -> None:
    settings = Settings(codec_keys=SecretStr(""), codec_keys_file=tmp_path / "absent")

    with pytest.raises(CodecNotConfigured, match="does not exist"):
        data_converter(settings)


def test_the_dev_stack_makes_a_key_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, codec_keys=SecretStr(""))

    written = ensure_dev_key(settings)
    again = ensure_dev_key(settings)
    converter = data_converter(settings)

    assert written == tmp_path / "codec-keys" and again is None
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert isinstance(converter.payload_codec, EncryptionCodec)
    assert converter.payload_codec.current_key_id.startswith("dev-")
    assert isinstance(converter.failure_converter, DefaultFailureConverterWithEncodedAttributes)


def test_configured_keys_win_over_the_keys_file(tmp_path: Path) -> None:
    (tmp_path / "codec-keys").write_text(OTHER_KEY_LINE + "\n")
    settings = Settings(data_dir=tmp_path, codec_keys=SecretStr(TEST_CODEC_KEYS))

    codec = data_converter(settings).payload_codec

    assert ensure_dev_key(settings) is None
    assert isinstance(codec, EncryptionCodec) and codec.current_key_id == "tests-1"
