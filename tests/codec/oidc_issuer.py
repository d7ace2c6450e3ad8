"""An OIDC issuer for tests: a local HTTP server publishing a discovery document and a JWK set,
with signing keys made in the test, and the access tokens it mints (PyJWT), as a Temporal UI's
login would obtain them. Its keys can rotate and it counts what it served."""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

AUDIENCE = "tillsync-codec"
OPERATORS = "tillsync-operators"

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass
class Key:
    kid: str
    private: SigningKey
    algorithm: str

    @classmethod
    def rsa(cls, kid: str) -> "Key":
        return cls(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256")

    @classmethod
    def ec(cls, kid: str) -> "Key":
        return cls(kid, ec.generate_private_key(ec.SECP256R1()), "ES256")

    def public_jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = ECAlgorithm.to_jwk(public, as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": self.algorithm}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass
class Issuer:
    url: str = ""
    keys: list[Key] = field(default_factory=lambda: [Key.rsa("key-1")])
    served: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def key(self) -> Key:
        return self.keys[0]

    def rotate(self, new: Key) -> None:
        """The issuer signs with ``new`` from now on and no longer publishes the old keys."""
        with self.lock:
            self.keys = [new]

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": "operator-7",
            "iat": now,
            "exp": now + 300,
            "groups": ["store-ops", OPERATORS],
        }
        claims.update(changes)
        return {name: value for name, value in claims.items() if value is not None}

    def token(self, key: Key | None = None, kid: str | None = None, **changes: Any) -> str:
        """An access token signed by ``key`` (default: the current one); ``changes`` replace
        claims (None drops one)."""
        signer = key or self.key
        headers = {"kid": kid or signer.kid, "typ": "at+jwt"}
        return jwt.encode(
            self.claims(**changes), signer.private, algorithm=signer.algorithm, headers=headers
        )

    def document(self, path: str) -> dict[str, Any] | None:
        with self.lock:
            self.served[path] += 1
            if path == "/.well-known/openid-configuration":
                return {"issuer": self.url, "jwks_uri": f"{self.url}/jwks"}
            if path == "/jwks":
                return {"keys": [key.public_jwk() for key in self.keys]}
        return None


def unsigned_token(claims: dict[str, Any], kid: str) -> str:
    return jwt.encode(claims, "", algorithm="none", headers={"kid": kid})


def hs256_token(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    """HS256 with ``secret`` (the issuer's public key: the algorithm-confusion attack), made by
    hand since PyJWT refuses to use a public key as an HMAC secret."""
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _segment(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@contextmanager
def oidc_issuer() -> Iterator[Issuer]:
    issuer = Issuer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = issuer.document(self.path)
            body = json.dumps(document).encode() if document is not None else b"{}"
            self.send_response(200 if document is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
