"""The codec server decodes for the Temporal UI's logged-in operators: the UI passes the
user's OIDC access token, and the codec server checks it against a real issuer (a local HTTP
server publishing its discovery document and keys) with PyJWT, nothing stubbed."""

import asyncio
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from domain.settings import Settings
from starter.codec_server.access import CodecServerMisconfigured
from starter.codec_server.oidc import RequiredClaim
from starter.codec_server.server import build_codec_app
from tests.codec.oidc_issuer import (
    AUDIENCE,
    OPERATORS,
    Issuer,
    Key,
    hs256_token,
    oidc_issuer,
    unsigned_token,
)
from tests.codec.test_codec_server import TICKET, UI, http_for, payloads_of, sealed

ACCESS_LOG = "starter.codec_server.access"


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with oidc_issuer() as running:
        yield running


def oidc_settings(issuer_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "codec_server_tokens": SecretStr(""),
        "codec_server_oidc_issuer": issuer_url,
        "codec_server_oidc_audience": AUDIENCE,
        "codec_server_oidc_required_claim": "groups",
        "codec_server_oidc_required_value": OPERATORS,
        "codec_server_oidc_jwks_refresh_seconds": 0,
    }
    values.update(extra)
    return Settings(**values)


def from_ui(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Origin": UI, "X-Namespace": "default"}


async def test_the_ui_decodes_with_an_operators_access_token(issuer: Issuer) -> None:
    async with await http_for(oidc_settings(issuer.url)) as http:
        response = await http.post(
            "/decode", json=await sealed(TICKET), headers=from_ui(issuer.token())
        )

    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == UI
    assert payloads_of(response) == [TICKET]
    assert issuer.served["/.well-known/openid-configuration"] == 1
    assert issuer.served["/jwks"] == 1


async def test_an_es256_token_decodes_and_one_a_little_past_expiry_within_the_leeway(
    issuer: Issuer,
) -> None:
    issuer.keys.append(Key.ec("key-ec"))
    slightly_expired = issuer.token(exp=int(time.time()) - 10)
    by_ec = issuer.token(key=issuer.keys[1])

    async with await http_for(oidc_settings(issuer.url)) as http:
        answers = [
            await http.post("/decode", json=await sealed(TICKET), headers=from_ui(token))
            for token in (slightly_expired, by_ec)
        ]

    assert [answer.status_code for answer in answers] == [200, 200]


REFUSED: dict[str, tuple[Any, str]] = {
    "expired": (lambda i: i.token(exp=int(time.time()) - 120), "Signature has expired"),
    "not yet valid": (lambda i: i.token(nbf=int(time.time()) + 120), "not yet valid (nbf)"),
    "wrong audience": (lambda i: i.token(aud="another-app"), "Audience doesn't match"),
    "wrong issuer": (lambda i: i.token(iss="https://elsewhere.example"), "Invalid issuer"),
    "no expiry": (lambda i: i.token(exp=None), 'missing the "exp" claim'),
    "unknown kid": (lambda i: i.token(kid="made-up"), "publishes no key 'made-up'"),
    "another key under the issuer's kid": (
        lambda i: i.token(key=Key.rsa(i.key.kid)),
        "Signature verification failed",
    ),
    "alg none": (lambda i: unsigned_token(i.claims(), i.key.kid), "algorithm 'none'"),
    "HS256 signed with the public key": (
        lambda i: hs256_token(i.claims(), i.key.public_pem(), i.key.kid),
        "algorithm 'HS256'",
    ),
    "missing required claim": (
        lambda i: i.token(groups=["store-ops"]),
        f"claim 'groups' does not hold '{OPERATORS}'",
    ),
    "not a JWT": (lambda i: "a.b.c", "not a JWT"),
}


@pytest.mark.parametrize(("make", "reason"), list(REFUSED.values()), ids=list(REFUSED))
async def test_a_token_that_does_not_verify_is_refused_and_the_reason_logged(
    issuer: Issuer, make: Any, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = make(issuer)
    caplog.set_level(logging.WARNING, logger=ACCESS_LOG)

    async with await http_for(oidc_settings(issuer.url)) as http:
        response = await http.post("/decode", json=await sealed(TICKET), headers=from_ui(token))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert "S1-T1-000042" not in response.text
    assert reason in caplog.text
    assert not [part for part in token.split(".") if len(part) > 8 and part in caplog.text]


async def test_an_unknown_kid_refetches_the_issuers_keys_before_it_is_refused(
    issuer: Issuer,
) -> None:
    async with await http_for(oidc_settings(issuer.url)) as http:
        first = await http.post(
            "/decode", json=await sealed(TICKET), headers=from_ui(issuer.token())
        )
        forged = await http.post(
            "/decode", json=await sealed(TICKET), headers=from_ui(issuer.token(kid="made-up"))
        )

    assert (first.status_code, forged.status_code) == (200, 401)
    assert issuer.served["/jwks"] == 2


async def test_a_key_rotated_at_the_issuer_is_picked_up(issuer: Issuer) -> None:
    old = issuer.key
    async with await http_for(oidc_settings(issuer.url)) as http:
        before = await http.post(
            "/decode", json=await sealed(TICKET), headers=from_ui(issuer.token())
        )
        issuer.rotate(Key.rsa("key-2"))
        after = await http.post(
            "/decode", json=await sealed(TICKET), headers=from_ui(issuer.token())
        )
        by_retired_key = await http.post(
            "/decode", json=await sealed(TICKET), headers=from_ui(issuer.token(key=old))
        )

    assert (before.status_code, after.status_code) == (200, 200)
    assert payloads_of(after) == [TICKET]
    assert by_retired_key.status_code == 401, "a key the issuer no longer publishes is dropped"
    assert issuer.served["/jwks"] == 3


async def test_made_up_kids_refetch_at_most_once_per_interval_and_rotation_follows(
    issuer: Issuer,
) -> None:
    settings = oidc_settings(issuer.url, codec_server_oidc_jwks_refresh_seconds=0.5)
    async with await http_for(settings) as http:
        await http.post("/decode", json=await sealed(TICKET), headers=from_ui(issuer.token()))
        flood = [
            await http.post(
                "/decode", json=await sealed(TICKET), headers=from_ui(issuer.token(kid=f"x{n}"))
            )
            for n in range(5)
        ]
        fetched_during_flood = issuer.served["/jwks"]
        issuer.rotate(Key.rsa("key-2"))
        await asyncio.sleep(0.6)
        rotated = await http.post(
            "/decode", json=await sealed(TICKET), headers=from_ui(issuer.token())
        )

    assert [answer.status_code for answer in flood] == [401] * 5
    assert fetched_during_flood == 1
    assert rotated.status_code == 200
    assert issuer.served["/jwks"] == 2


async def test_static_tokens_keep_working_beside_oidc(issuer: Issuer) -> None:
    settings = oidc_settings(issuer.url, codec_server_tokens=SecretStr("cli-token"))

    async with await http_for(settings) as http:
        by_cli = await http.post(
            "/default/decode",
            json=await sealed(TICKET),
            headers={"Authorization": "Bearer cli-token"},
        )
        by_ui = await http.post(
            "/decode", json=await sealed(TICKET), headers=from_ui(issuer.token())
        )
        by_guess = await http.post(
            "/decode", json=await sealed(TICKET), headers={"Authorization": "Bearer cli-tokem"}
        )

    assert (by_cli.status_code, by_ui.status_code, by_guess.status_code) == (200, 200, 401)
    assert by_guess.headers["www-authenticate"] == "Bearer"


async def test_an_unreachable_issuer_is_503_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    caplog.set_level(logging.ERROR)
    token = Issuer(url=closed).token()

    async with await http_for(oidc_settings(closed)) as http:
        response = await http.post("/decode", json=await sealed(TICKET), headers=from_ui(token))

    assert response.status_code == 503
    assert "cannot fetch the OIDC issuer's keys" in caplog.text
    assert token not in caplog.text


async def test_a_discovery_document_for_another_issuer_is_not_trusted(
    issuer: Issuer, caplog: pytest.LogCaptureFixture
) -> None:
    configured = f"{issuer.url}/"
    caplog.set_level(logging.ERROR)

    async with await http_for(oidc_settings(configured)) as http:
        token = issuer.token(iss=configured)
        response = await http.post("/decode", json=await sealed(TICKET), headers=from_ui(token))

    assert response.status_code == 503
    assert f"names the issuer '{issuer.url}'" in caplog.text


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"codec_server_oidc_audience": ""}, "TILLSYNC_CODEC_SERVER_OIDC_AUDIENCE is needed"),
        ({"codec_server_oidc_issuer": ""}, "set without TILLSYNC_CODEC_SERVER_OIDC_ISSUER"),
        ({"codec_server_oidc_issuer": "http://idp.example"}, "must be an https URL"),
        ({"codec_server_oidc_algorithms": "RS256,HS256"}, "asymmetric algorithms only"),
        ({"codec_server_oidc_algorithms": "none"}, "asymmetric algorithms only"),
        ({"codec_server_oidc_required_value": ""}, "_REQUIRED_VALUE go together"),
    ],
    ids=["issuer without audience", "audience without issuer", "http", "HS256", "none", "claim"],
)
def test_a_misconfigured_oidc_stops_the_start_naming_the_setting(
    extra: dict[str, Any], reason: str
) -> None:
    with pytest.raises(CodecServerMisconfigured, match=reason):
        build_codec_app(oidc_settings("https://idp.example/realms/retail", **extra))


def test_oidc_alone_is_enough_to_start() -> None:
    build_codec_app(oidc_settings("https://idp.example/realms/retail"))


@pytest.mark.parametrize(
    ("claims", "held"),
    [
        ({"groups": [OPERATORS]}, True),
        ({"groups": ["store-ops"]}, False),
        ({"groups": OPERATORS}, True),
        ({"groups": f"{OPERATORS}-readonly"}, False),
        ({"realm_access": {"roles": [OPERATORS]}}, True),
        ({"scope": f"openid {OPERATORS} email"}, True),
        ({"groups": {OPERATORS: True}}, False),
        ({}, False),
    ],
)
def test_a_required_claim_holds_the_value_as_item_word_or_nested_path(
    claims: dict[str, Any], held: bool
) -> None:
    paths = {"realm_access": "realm_access.roles", "scope": "scope"}
    path = next((paths[name] for name in claims if name in paths), "groups")

    assert RequiredClaim(path, OPERATORS).held_by(claims) is held
