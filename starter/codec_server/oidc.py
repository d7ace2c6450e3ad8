"""The Temporal UI's OIDC access tokens, checked as a resource server checks them: signed by a
key the issuer publishes (its discovery document's ``jwks_uri``), with an accepted asymmetric
algorithm, for this audience, from this issuer, within its lifetime, and, when configured,
holding the claim that makes its bearer an operator."""

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
KEYS_MAX_AGE_SECONDS = 3600.0
FETCH_TIMEOUT_SECONDS = 10.0


class TokenRefused(Exception):
    """The token does not let its bearer decode; ``reason`` is safe to log (no token in it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IssuerUnavailable(Exception):
    """The issuer's keys could not be fetched, and none fetched before are at hand."""


@dataclass(frozen=True)
class RequiredClaim:
    """A claim (a dotted path into nested claims) that must be the value, or a list holding
    it, or a space-separated string holding it (as ``scope`` is)."""

    path: str
    value: str

    def held_by(self, claims: Mapping[str, Any]) -> bool:
        found: Any = claims
        for name in self.path.split("."):
            if not isinstance(found, Mapping) or name not in found:
                return False
            found = found[name]
        if isinstance(found, str):
            return self.value in found.split()
        return isinstance(found, list) and self.value in found


class IssuerKeys:
    """The issuer's published keys by key id. Fetched on first use and when an hour old; a
    token naming a key id not among them refetches them (the issuer rotated its keys), at most
    once every ``refresh_seconds`` so that made-up key ids cannot make us flood the issuer. A
    failed refetch keeps the keys fetched before."""

    def __init__(
        self,
        issuer: str,
        refresh_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.discovery_url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._failure = ""
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> dict[str, Any] | None:
        async with self._lock:
            now = self._clock()
            if self._needs_fetch(kid, now):
                self._attempted_at = now
                try:
                    self._keys = await self._fetch()
                    self._fetched_at, self._failure = now, ""
                except IssuerUnavailable as error:
                    self._failure = str(error)
                    log.error("cannot fetch the OIDC issuer's keys: %s", error)
            if not self._keys:
                raise IssuerUnavailable(self._failure or "the issuer publishes no keys")
            return self._keys.get(kid)

    def _needs_fetch(self, kid: str, now: float) -> bool:
        if self._attempted_at is not None and now - self._attempted_at < self.refresh_seconds:
            return False
        if self._fetched_at is None or now - self._fetched_at >= KEYS_MAX_AGE_SECONDS:
            return True
        return kid not in self._keys

    async def _fetch(self) -> dict[str, dict[str, Any]]:
        async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS) as http:
            discovery = await _json(http, self.discovery_url)
            if discovery.get("issuer") != self.issuer:
                raise IssuerUnavailable(
                    f"{self.discovery_url} names the issuer {discovery.get('issuer')!r},"
                    f" not {self.issuer!r}"
                )
            jwks_uri = discovery.get("jwks_uri")
            if not isinstance(jwks_uri, str) or not jwks_uri:
                raise IssuerUnavailable(f"{self.discovery_url} has no jwks_uri")
            published = await _json(http, jwks_uri)
        keys = published.get("keys")
        if not isinstance(keys, list):
            raise IssuerUnavailable(f"{jwks_uri} is not a JWK set")
        return {
            key["kid"]: key
            for key in keys
            if isinstance(key, dict) and isinstance(key.get("kid"), str)
        }


async def _json(http: httpx.AsyncClient, url: str) -> dict[str, Any]:
    try:
        response = await http.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise IssuerUnavailable(f"{url}: {error}") from None
    if not isinstance(document, dict):
        raise IssuerUnavailable(f"{url}: not a JSON object")
    return document


@dataclass(frozen=True)
class OidcVerifier:
    issuer: str
    audience: str
    algorithms: frozenset[str]
    keys: IssuerKeys
    required: RequiredClaim | None = None
    leeway_seconds: int = 30

    async def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or TokenRefused saying why not."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise TokenRefused(f"not a JWT ({error})") from None
        algorithm = header.get("alg")
        if algorithm not in self.algorithms:
            accepted = ", ".join(sorted(self.algorithms))
            raise TokenRefused(f"algorithm {str(algorithm)[:20]!r} is not accepted ({accepted})")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRefused("the token names no key id (kid)")
        key = await self._key(kid[:100], algorithm)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise TokenRefused(f"{error} (key {kid[:100]!r})") from None
        if self.required is not None and not self.required.held_by(claims):
            raise TokenRefused(
                f"claim {self.required.path!r} does not hold {self.required.value!r}"
                f" (subject {str(claims.get('sub', ''))[:100]!r})"
            )
        return claims

    async def _key(self, kid: str, algorithm: str) -> jwt.PyJWK:
        published = await self.keys.get(kid)
        if published is None:
            raise TokenRefused(f"the issuer publishes no key {kid!r}")
        if published.get("use", "sig") != "sig" or published.get("alg", algorithm) != algorithm:
            raise TokenRefused(f"key {kid!r} is not for {algorithm} signatures")
        try:
            return jwt.PyJWK(published, algorithm=algorithm)
        except jwt.PyJWTError as error:
            raise TokenRefused(f"key {kid!r} cannot verify {algorithm}: {error}") from None
