"""The codec server as the Temporal UI and CLI call it: CORS for the UI's origin only, a
bearer token (or, in development on loopback, the UI's origin), payloads in proto3 JSON."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.protobuf import json_format
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload, Payloads

from connectors.temporal import EncryptionCodec, KeyRing
from domain.settings import Settings
from starter.codec_server.access import CodecServerMisconfigured
from starter.codec_server.server import build_codec_app
from tests.codec_keys import OTHER_KEY_LINE, TEST_CODEC_KEYS

UI = "http://localhost:8233"
TOKEN = "operator-token-1"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
TICKET = Payload(metadata={"encoding": b"json/plain"}, data=b'{"transaction_id":"S1-T1-000042"}')


def codec_settings(**extra: Any) -> Settings:
    values: dict[str, Any] = {"codec_server_tokens": SecretStr(f"other-token,{TOKEN}")}
    values.update(extra)
    return Settings(**values)


async def http_for(settings: Settings) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_codec_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://codec")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with await http_for(codec_settings()) as client:
        yield client


async def sealed(*payloads: Payload, keys: str = TEST_CODEC_KEYS) -> dict[str, Any]:
    encoded = await EncryptionCodec(KeyRing.parse(keys)).encode(payloads)
    return json_format.MessageToDict(Payloads(payloads=encoded))


def payloads_of(response: httpx.Response) -> list[Payload]:
    return list(json_format.ParseDict(response.json(), Payloads()).payloads)


async def test_decode_returns_the_payloads_in_clear(http: httpx.AsyncClient) -> None:
    body = await sealed(TICKET, TICKET)

    response = await http.post("/decode", json=body, headers={**BEARER, "X-Namespace": "default"})

    assert response.status_code == 200, response.text
    assert payloads_of(response) == [TICKET, TICKET]


async def test_encode_then_decode_under_the_cli_namespace_path(http: httpx.AsyncClient) -> None:
    plain = json_format.MessageToDict(Payloads(payloads=[TICKET]))

    encoded = await http.post("/default/encode", json=plain, headers=BEARER)
    decoded = await http.post("/default/decode", json=encoded.json(), headers=BEARER)

    assert b"S1-T1-000042" not in payloads_of(encoded)[0].SerializeToString()
    assert payloads_of(decoded) == [TICKET]


async def test_a_payload_under_an_unknown_key_is_a_clear_error(http: httpx.AsyncClient) -> None:
    body = await sealed(TICKET, keys=OTHER_KEY_LINE)

    response = await http.post("/decode", json=body, headers=BEARER)

    assert response.status_code == 422
    assert response.json()["key_id"] == "tests-2"
    assert "key 'tests-2', which is not configured" in response.json()["error"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"Origin": UI}],
    ids=["no token", "wrong token", "not bearer", "UI origin without token"],
)
async def test_a_decode_without_a_good_token_is_refused(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.post("/decode", json=await sealed(TICKET), headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "S1-T1-000042" not in response.text


async def test_another_namespace_is_refused(http: httpx.AsyncClient) -> None:
    body = await sealed(TICKET)

    by_header = await http.post("/decode", json=body, headers={**BEARER, "X-Namespace": "other"})
    by_path = await http.post("/other/decode", json=body, headers=BEARER)

    assert (by_header.status_code, by_path.status_code) == (403, 403)


async def test_a_body_that_is_not_payloads_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/decode", content=b"[1, 2]", headers=BEARER)

    assert response.status_code == 400


async def test_an_oversized_body_is_refused() -> None:
    async with await http_for(codec_settings(codec_server_max_body_bytes=100)) as http:
        response = await http.post("/decode", json=await sealed(TICKET, TICKET), headers=BEARER)

    assert response.status_code == 413


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }


async def test_the_ui_origin_passes_the_cors_preflight(http: httpx.AsyncClient) -> None:
    response = await http.options("/decode", headers=preflight(UI))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == UI
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "x-namespace"} <= set(allowed.split(", "))
    assert response.headers["access-control-allow-credentials"] == "true"


async def test_another_origin_is_refused_at_preflight_and_on_the_request(
    http: httpx.AsyncClient,
) -> None:
    evil = "http://evil.example"

    checked = await http.options("/decode", headers=preflight(evil))
    sent = await http.post("/decode", json=await sealed(TICKET), headers={**BEARER, "Origin": evil})

    assert checked.status_code == 400
    assert "access-control-allow-origin" not in checked.headers
    assert sent.status_code == 403
    assert "access-control-allow-origin" not in sent.headers


async def test_the_ui_decodes_with_its_token_and_reads_the_answer(
    http: httpx.AsyncClient,
) -> None:
    headers = {**BEARER, "Origin": UI, "X-Namespace": "default"}

    response = await http.post("/decode", json=await sealed(TICKET), headers=headers)

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == UI
    assert payloads_of(response) == [TICKET]


async def test_in_development_the_ui_origin_decodes_without_a_token() -> None:
    dev = codec_settings(codec_server_tokens=SecretStr(""), codec_server_trust_ui_origin=True)

    async with await http_for(dev) as http:
        from_ui = await http.post("/decode", json=await sealed(TICKET), headers={"Origin": UI})
        from_script = await http.post("/decode", json=await sealed(TICKET))

    assert from_ui.status_code == 200 and payloads_of(from_ui) == [TICKET]
    assert from_script.status_code == 401


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"codec_server_tokens": SecretStr("")}, "needs TILLSYNC_CODEC_SERVER_TOKENS"),
        (
            {"codec_server_trust_ui_origin": True, "codec_server_host": "0.0.0.0"},
            "development on loopback only",
        ),
        ({"codec": "off"}, "TILLSYNC_CODEC=off"),
    ],
)
def test_a_codec_server_open_to_anyone_or_without_keys_does_not_start(
    extra: dict[str, Any], reason: str
) -> None:
    with pytest.raises((CodecServerMisconfigured, RuntimeError), match=reason):
        build_codec_app(codec_settings(**extra))


async def test_tokens_come_from_a_file_one_a_line(tmp_path: Path) -> None:
    tokens = tmp_path / "codec-server-tokens"
    tokens.write_text(f"first-token\n{TOKEN}\n")
    settings = codec_settings(codec_server_tokens=SecretStr(""), codec_server_tokens_file=tokens)

    async with await http_for(settings) as http:
        accepted = await http.post("/decode", json=await sealed(TICKET), headers=BEARER)
        refused = await http.post(
            "/decode", json=await sealed(TICKET), headers={"Authorization": "Bearer nope"}
        )

    assert (accepted.status_code, refused.status_code) == (200, 401)
