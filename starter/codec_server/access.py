"""Who may call the codec server: a bearer token from configuration, and in development only
(bound to loopback) a browser page served from an allowed Temporal UI origin.

The Temporal UI calls the codec server from the browser. With a login (OIDC) it can pass the
user's access token; the dev server's UI has no login, so it has no token to pass: there the
codec server trusts its allowed UI origins, which only a page on this machine can claim while
the server listens on loopback.
"""

import hmac
import ipaddress
from dataclasses import dataclass, field

from domain.settings import Settings


class CodecServerMisconfigured(RuntimeError):
    """The codec server would be open to anyone, or its settings cannot be read."""


@dataclass(frozen=True)
class CodecAccess:
    origins: frozenset[str]
    tokens: tuple[str, ...] = field(default=(), repr=False)
    trust_ui_origin: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "CodecAccess":
        origins = frozenset(settings.codec_server_origin_list)
        tokens = _tokens(settings)
        trust = settings.codec_server_trust_ui_origin
        if trust and not _is_loopback(settings.codec_server_host):
            raise CodecServerMisconfigured(
                "TILLSYNC_CODEC_SERVER_TRUST_UI_ORIGIN is for development on loopback only;"
                f" the codec server would listen on {settings.codec_server_host}"
            )
        if not tokens and not trust:
            raise CodecServerMisconfigured(
                "the codec server needs TILLSYNC_CODEC_SERVER_TOKENS (or _TOKENS_FILE): it"
                " decrypts payloads for whoever may call it"
            )
        return cls(origins, tokens, trust)

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


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
