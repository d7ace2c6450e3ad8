"""schemathesis over the ingest's own OpenAPI document, in process (ASGI, no network, no
Temporal: the stub intake and ``StubTemporal``), a bounded and seeded number of examples per
operation.

Every operation is fuzzed twice: as sent (unsigned: every ``/v1`` request must be refused
with a 4xx), and signed by a requests auth hook that signs each generated request as the store
its body names, so the gate lets it through to conversion, validation and the stub intake.
Either way no response is a 5xx, and each conforms to what the document says of its status,
content type, headers and body.
"""

import json
import os
import re
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from pydantic import SecretStr
from schemathesis import BaseSchema, Case, CheckFunction, GenerationMode
from schemathesis.core import NOT_SET
from schemathesis.core.result import Ok
from temporalio.service import RPCError, RPCStatusCode

from domain.ids import transaction_workflow_id
from starter.ingest.auth import (
    SIGNATURE_HEADER,
    STORE_HEADER,
    TIMESTAMP_HEADER,
    StoreSecrets,
    signature,
)
from tests.factories import make_sale, sale_line
from tests.ingest.stub_ingest import (
    StubIntake,
    StubStockSubmitter,
    StubTemporal,
    stub_app,
    stub_settings,
)
from tests.stock_events.events import dispatch

EXAMPLES = int(os.environ.get("TILLSYNC_FUZZ_EXAMPLES", "80"))
"""Per operation and mode: about 30 s for the file on two cores; raise it for a deeper run."""
DOWN = "TX-TEMPORAL-DOWN"
KNOWN_RUN = transaction_workflow_id("S001", "T1", "TX-1")
FUZZ_SECRET = SecretStr("fuzz-secret")
_HEADER_SAFE = re.compile(r"[!-~]([ -~]{0,62}[!-~])?")

CONFORMANCE: list[CheckFunction] = [
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]
CHECKS = [schemathesis.checks.not_a_server_error, *CONFORMANCE]
FUZZING = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


class AnyStoreSecrets(StoreSecrets):
    """Every store signs with the one fuzzing secret, so a generated store id can post."""

    def secret_of(self, store_id: str) -> SecretStr | None:
        return FUZZ_SECRET


class SignAsBodyStore(requests.auth.AuthBase):
    """Signs the prepared request (its path as sent and its body's bytes) as the store its
    canonical body names (the first record's, for a batch), else as S001."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if not isinstance(body, str | bytes):
            raise TypeError(f"cannot sign a streamed body: {type(body).__name__}")
        raw = body.encode() if isinstance(body, str) else body
        store = _store_of(raw)
        sent_at = str(int(time.time()))
        request.headers[STORE_HEADER] = store
        request.headers[TIMESTAMP_HEADER] = sent_at
        request.headers[SIGNATURE_HEADER] = signature(
            FUZZ_SECRET, request.method or "GET", request.path_url, sent_at, raw
        )
        return request


def _store_of(body: bytes) -> str:
    try:
        document = json.loads(body)
    except ValueError:
        return "S001"
    if isinstance(document, list) and document:
        document = document[0]
    store = document.get("store_id") if isinstance(document, dict) else None
    return store if isinstance(store, str) and _HEADER_SAFE.fullmatch(store) else "S001"


OPERATIONS = [
    ("POST", "/v1/transactions"),
    ("POST", "/v1/transactions:batch"),
    ("GET", "/v1/transactions/{workflow_id}"),
    ("GET", "/healthz"),
    ("POST", "/v1/stock-events"),
]
# Every operation with data that fits its document, and the two that take a body also with
# data that does not (the reads' parameters are strings: nothing to negate).
FUZZED = [(operation, GenerationMode.POSITIVE) for operation in OPERATIONS] + [
    (operation, GenerationMode.NEGATIVE) for operation in OPERATIONS if operation[0] == "POST"
]


@pytest.fixture(scope="module")
def ingest_schema(tmp_path_factory: pytest.TempPathFactory) -> BaseSchema:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    fuzz_settings = stub_settings(
        data_dir, ingest_requests_per_second=1_000_000, ingest_burst=1_000_000
    )
    intake = StubIntake(failures={DOWN: RPCError("no frontend", RPCStatusCode.UNAVAILABLE, b"")})
    app = stub_app(
        fuzz_settings,
        intake,
        StubTemporal(),
        AnyStoreSecrets({"S001": FUZZ_SECRET}),
        StubStockSubmitter(
            failures={DOWN: RPCError("no frontend", RPCStatusCode.UNAVAILABLE, b"")}
        ),
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_the_fuzzed_operations_are_every_operation_of_the_document(
    ingest_schema: BaseSchema,
) -> None:
    results = list(ingest_schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "every operation of the document loads"
    documented = sorted((operation.method.upper(), operation.path) for operation in operations)
    assert documented == sorted(OPERATIONS)


def _fuzz(
    schema: BaseSchema,
    operation: tuple[str, str],
    mode: GenerationMode,
    auth: requests.auth.AuthBase | None,
) -> list[int]:
    """Sends the generated cases, checks each response, and returns the statuses seen."""
    method, path = operation
    statuses: list[int] = []

    @FUZZING
    @given(case=schema[path][method].as_strategy(mode))
    def send(case: Case[Any]) -> None:
        response = case.call_and_validate(checks=CHECKS, auth=auth)
        statuses.append(response.status_code)
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR

    send()
    return statuses


@pytest.mark.parametrize(("operation", "mode"), FUZZED)
def test_unsigned_requests_are_refused_with_a_4xx_never_a_5xx(
    ingest_schema: BaseSchema, operation: tuple[str, str], mode: GenerationMode
) -> None:
    statuses = _fuzz(ingest_schema, operation, mode, auth=None)

    assert statuses
    if operation[1].startswith("/v1/"):
        assert {status // 100 for status in statuses} == {4}, sorted(set(statuses))


@pytest.mark.parametrize(("operation", "mode"), FUZZED)
def test_signed_requests_are_answered_never_with_a_5xx(
    ingest_schema: BaseSchema, operation: tuple[str, str], mode: GenerationMode
) -> None:
    statuses = _fuzz(ingest_schema, operation, mode, auth=SignAsBodyStore())

    assert statuses and HTTPStatus.UNAUTHORIZED not in statuses, "every signature was good"
    if operation[0] == "POST":
        past_the_gate = {HTTPStatus.UNSUPPORTED_MEDIA_TYPE, HTTPStatus.UNPROCESSABLE_ENTITY}
        assert past_the_gate & set(statuses), sorted(set(statuses))


def _sale(transaction_id: str) -> dict[str, Any]:
    txn = make_sale(transaction_id, [sale_line(1, "100001", "1", "3.60")])
    document: dict[str, Any] = txn.model_dump(mode="json")
    return document


def _answer(
    schema: BaseSchema,
    operation: tuple[str, str],
    body: Any = NOT_SET,
    *,
    checks: list[CheckFunction] = CHECKS,
    **path: str,
) -> tuple[int, str]:
    method, route = operation
    case = schema[route][method].Case(
        body=body,
        media_type="application/json" if body is not NOT_SET else None,
        path_parameters=path or None,
    )
    response = case.call_and_validate(checks=checks, auth=SignAsBodyStore())
    return response.status_code, response.headers.get("content-type", [""])[0]


def _stock_event(event_id: str) -> dict[str, Any]:
    document: dict[str, Any] = dispatch("TR-1", {"100001": 2}, event_id=event_id).model_dump(
        mode="json"
    )
    return document


def test_each_answer_a_route_gives_conforms_to_the_document(ingest_schema: BaseSchema) -> None:
    single, batch, status, health, stock_events = OPERATIONS
    unreadable = {**_stock_event("E-BAD"), "lines": [{"line_number": 1, "quantity": "1"}]}
    bad = {**_sale("TX-BAD"), "receipt_number": 2**31}  # beyond a PostgreSQL integer
    answers = {
        "started": _answer(ingest_schema, single, _sale("TX-OK")),
        "rejected": _answer(ingest_schema, single, bad),
        "refused": _answer(ingest_schema, single, [_sale("TX-A"), _sale("TX-B")]),
        # Temporal down: the documented 503, the one 5xx the ingest answers (send it again).
        "unavailable": _answer(ingest_schema, single, _sale(DOWN), checks=CONFORMANCE),
        "batch mixed": _answer(ingest_schema, batch, [_sale("TX-C"), bad]),
        "batch rejected": _answer(ingest_schema, batch, [bad]),
        "batch empty": _answer(ingest_schema, batch, []),
        "run": _answer(ingest_schema, status, workflow_id=KNOWN_RUN),
        "no run": _answer(ingest_schema, status, workflow_id="pos:S001:T1:nowhere"),
        "health": _answer(ingest_schema, health),
        "event started": _answer(ingest_schema, stock_events, _stock_event("E-OK")),
        "events mixed": _answer(ingest_schema, stock_events, [_stock_event("E-2"), unreadable]),
        "event rejected": _answer(ingest_schema, stock_events, [unreadable]),
        "event unavailable": _answer(
            ingest_schema, stock_events, _stock_event(DOWN), checks=CONFORMANCE
        ),
    }

    json_type, problem_type = "application/json", "application/problem+json"
    assert answers == {
        "started": (HTTPStatus.ACCEPTED, json_type),
        "rejected": (HTTPStatus.UNPROCESSABLE_ENTITY, json_type),
        "refused": (HTTPStatus.UNPROCESSABLE_ENTITY, problem_type),
        "unavailable": (HTTPStatus.SERVICE_UNAVAILABLE, json_type),
        "batch mixed": (HTTPStatus.MULTI_STATUS, json_type),
        "batch rejected": (HTTPStatus.UNPROCESSABLE_ENTITY, json_type),
        "batch empty": (HTTPStatus.OK, json_type),
        "run": (HTTPStatus.OK, json_type),
        "no run": (HTTPStatus.NOT_FOUND, problem_type),
        "health": (HTTPStatus.OK, json_type),
        "event started": (HTTPStatus.ACCEPTED, json_type),
        "events mixed": (HTTPStatus.MULTI_STATUS, json_type),
        "event rejected": (HTTPStatus.UNPROCESSABLE_ENTITY, json_type),
        "event unavailable": (HTTPStatus.SERVICE_UNAVAILABLE, json_type),
    }


def test_an_unhealthy_answer_conforms_to_the_document(tmp_path: Path) -> None:
    app = stub_app(stub_settings(tmp_path), StubIntake(), StubTemporal(healthy=False))
    operation = schemathesis.openapi.from_asgi("/openapi.json", app)["/healthz"]["GET"]

    response = operation.Case().call_and_validate(checks=CONFORMANCE)

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"status": "unavailable", "temporal": "stub"}
