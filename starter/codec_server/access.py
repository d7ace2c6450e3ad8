"""Who may call the codec server: a bearer token from configuration, the Temporal UI user's
OIDC access token (when an issuer is configured), and in development only (bound to loopback)
a browser page served from an allowed Temporal UI origin.

The Temporal UI calls the codec server from the browser. With a login (OIDC) it passes the
user's access token; the dev server's UI has no login, so it has no token to pass: there the
codec server trusts its allowed UI origins, which only a page on this machine can claim while
the server listens on loopback.
"""

import hmac
import ipaddress
import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from domain.settings import Settings
from starter.codec_server.oidc import (
    ASYMMETRIC_ALGORITHMS,
    IssuerKeys,
    IssuerUnavailable,
    OidcVerifier,
    RequiredClaim,
    TokenRefused,
)

log = logging.getLogger(__name__)


class CodecServerMisconfigured(RuntimeError):
    """The codec server would be open to anyone, or its settings cannot be read."""


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    challenge: str = ""
    """the WWW-Authenticate header's value, if any"""


@dataclass(frozen=True)
class CodecAccess:
    origins: frozenset[str]
    tokens: tuple[str, ...] = field(default=(), repr=False)
    trust_ui_origin: bool = False
    oidc: OidcVerifier | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "CodecAccess":
        origins = frozenset(settings.codec_server_origin_list)
        tokens = _tokens(settings)
        trust = settings.codec_server_trust_ui_origin
        oidc = _oidc(settings)
        if trust and not _is_loopback(settings.codec_server_host):
            raise CodecServerMisconfigured(
                "TILLSYNC_CODEC_SERVER_TRUST_UI_ORIGIN is for development on loopback only;"
                f" the codec server would listen on {settings.codec_server_host}"
            )
        if not tokens and not trust and oidc is None:
            raise CodecServerMisconfigured(
                "the codec server needs TILLSYNC_CODEC_SERVER_TOKENS (or _TOKENS_FILE), or"
                " TILLSYNC_CODEC_SERVER_OIDC_ISSUER: it decrypts payloads for whoever may call it"
            )
        return cls(origins, tokens, trust, oidc)

    def origin_allowed(self, origin: str | None) -> bool:
        """A request without Origin is not a browser's (the CLI, a script): allowed here, and
        answered only with a token."""
        return origin is None or origin in self.origins

    def allows(self, authorization: str | None, origin: str | None) -> bool:
        if self.trust_ui_origin and origin is not None and origin in self.origins:
            return True
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        presented = token.strip().encode()
        return any(hmac.compare_digest(presented, known.encode()) for known in self.tokens)

    async def refusal(self, authorization: str | None, origin: str | None) -> Refusal | None:
        """Why this caller may not decode (None: it may). A refused OIDC token is logged with
        the reason, never the token."""
        if self.allows(authorization, origin):
            return None
        scheme, _, token = (authorization or "").partition(" ")
        if self.oidc is None or scheme.lower() != "bearer" or token.count(".") != 2:
            return Refusal(401, "a bearer token is required", "Bearer")
        try:
            await self.oidc.verify(token.strip())
        except TokenRefused as refused:
            log.warning("codec server: access token refused: %s", refused.reason)
            return Refusal(401, "the access token is not accepted", 'Bearer error="invalid_token"')
        except IssuerUnavailable as error:
            log.error("codec server: cannot check an access token: %s", error)
            return Refusal(503, "the identity provider's keys are unavailable")
        return None


def _tokens(settings: Settings) -> tuple[str, ...]:
    text = settings.codec_server_tokens.get_secret_value()
    if not text and settings.codec_server_tokens_file is not None:
        try:
            text = settings.codec_server_tokens_file.read_text()
        except OSError as error:
            raise CodecServerMisconfigured(
                f"cannot read the codec server's tokens file: {error.strerror}"
            ) from None
    return tuple(token.strip() for token in text.replace(",", "\n").splitlines() if token.strip())


def _oidc(settings: Settings) -> OidcVerifier | None:
    issuer, audience = settings.codec_server_oidc_issuer, settings.codec_server_oidc_audience
    if not issuer:
        if audience or settings.codec_server_oidc_required_claim:
            raise CodecServerMisconfigured(
                "TILLSYNC_CODEC_SERVER_OIDC_AUDIENCE (or _REQUIRED_CLAIM) is set without"
                " TILLSYNC_CODEC_SERVER_OIDC_ISSUER"
            )
        return None
    address = urlsplit(issuer)
    if address.scheme != "https" and not (
        address.scheme == "http" and _is_loopback(address.hostname or "")
    ):
        raise CodecServerMisconfigured(
            f"TILLSYNC_CODEC_SERVER_OIDC_ISSUER must be an https URL, not {issuer!r}: its keys"
            " decide who reads payloads"
        )
    if not audience:
        raise CodecServerMisconfigured(
            "TILLSYNC_CODEC_SERVER_OIDC_AUDIENCE is needed with TILLSYNC_CODEC_SERVER_OIDC_ISSUER:"
            " without it, a token the issuer made for any other application would decode"
        )
    algorithms = frozenset(
        name.strip() for name in settings.codec_server_oidc_algorithms.split(",") if name.strip()
    )
    if not algorithms or not algorithms <= ASYMMETRIC_ALGORITHMS:
        raise CodecServerMisconfigured(
            "TILLSYNC_CODEC_SERVER_OIDC_ALGORITHMS accepts asymmetric algorithms only"
            f" ({', '.join(sorted(ASYMMETRIC_ALGORITHMS))}), not"
            f" {', '.join(sorted(algorithms - ASYMMETRIC_ALGORITHMS)) or 'none'}"
        )
    claim, value = (
        settings.codec_server_oidc_required_claim,
        settings.codec_server_oidc_required_value,
    )
    if bool(claim) != bool(value):
        raise CodecServerMisconfigured(
            "TILLSYNC_CODEC_SERVER_OIDC_REQUIRED_CLAIM and"
            " TILLSYNC_CODEC_SERVER_OIDC_REQUIRED_VALUE go together"
        )
    return OidcVerifier(
        issuer=issuer,
        audience=audience,
        algorithms=algorithms,
        keys=IssuerKeys(issuer, settings.codec_server_oidc_jwks_refresh_seconds),
        required=RequiredClaim(claim, value) if claim else None,
        leeway_seconds=settings.codec_server_oidc_leeway_seconds,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
