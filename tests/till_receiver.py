"""A till's webhook for tests: a small local HTTP server that checks each request's signature
as a till would, keeps what it received, and can be taken down (503) and brought back."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.tills.webhook import EVENT_HEADER
from domain.signing import SIGNATURE_HEADER, STORE_HEADER, TIMESTAMP_HEADER, signature


@dataclass
class Received:
    store_id: str
    event: str
    body: Any


@dataclass
class TillReceiver:
    secrets: dict[str, str]
    url: str = ""
    down: bool = False
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    """requests answered 503 while down, or 401 for a bad signature"""
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, event: str, store_id: str | None = None) -> list[Any]:
        with self.lock:
            return [
                item.body
                for item in self.received
                if item.event == event and store_id in (None, item.store_id)
            ]

    def handle(self, handler: BaseHTTPRequestHandler) -> tuple[int, bytes]:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
        store = handler.headers.get(STORE_HEADER, "")
        timestamp = handler.headers.get(TIMESTAMP_HEADER, "")
        expected = signature(
            SecretStr(self.secrets.get(store, "\0")), "POST", handler.path, timestamp, body
        )
        with self.lock:
            if self.down:
                self.refused += 1
                return 503, b"down"
            if handler.headers.get(SIGNATURE_HEADER) != expected:
                self.bad_signatures += 1
                self.refused += 1
                return 401, b"bad signature"
            event = handler.headers.get(EVENT_HEADER, "")
            self.received.append(Received(store, event, json.loads(body)))
        return 200, b"{}"


@contextmanager
def till_receiver(secrets: dict[str, str]) -> Iterator[TillReceiver]:
    receiver = TillReceiver(secrets)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            status, payload = receiver.handle(self)
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/tills/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[TillReceiver]:
    """Store S001's webhook, one for each test module that asks for it."""
    with till_receiver({"S001": "s001-till-secret"}) as till:
        yield till
