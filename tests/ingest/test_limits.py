"""Bodies too large, batches too long, requests too fast, and payloads that are not what they
claim: each is answered with a clear 4xx and nothing starts; the service keeps serving."""

import json
from collections.abc import AsyncIterator
from http import HTTPStatus
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.ids import transaction_workflow_id
from domain.settings import Settings
from starter.ingest.server import build_app
from tests.e2e.helpers import new_id
from tests.factories import make_sale, sale_line
from tests.ingest.signing import post_signed, signed_headers
from tests.ingest.test_http_ingest import was_started

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

INVALID = (
    Path(__file__).parents[2] / "examples" / "store-day" / "11-invalid-float-and-card-number.json"
)


async def test_a_10_mb_body_is_refused_before_it_is_read(http: httpx.AsyncClient) -> None:
    body = b"[" + b" " * (10 * 1024 * 1024) + b"]"

    response = await post_signed(http, "/v1/transactions:batch", body, "S001")

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "1048576 bytes" in response.json()["detail"]


async def test_a_body_without_content_length_is_cut_off_at_the_limit(
    http: httpx.AsyncClient,
) -> None:
    body = b" " * (2 * 1024 * 1024)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await http.post(
        "/v1/transactions", content=chunks(), headers=signed_headers("S001", body)
    )

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


async def test_a_batch_over_the_limit_is_refused_and_starts_nothing(
    http: httpx.AsyncClient, client: Client, ingest_settings: Settings
) -> None:
    transactions = [
        make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")], receipt_number=number)
        for number in range(ingest_settings.ingest_max_batch + 1)
    ]
    body = ("[" + ",".join(txn.model_dump_json() for txn in transactions) + "]").encode()

    response = await post_signed(http, "/v1/transactions:batch", body, "S001")

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "at most 50" in response.json()["detail"]
    assert not await was_started(client, transactions[0].workflow_id)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"transaction_id": "T1", ', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"<POSLog><Transaction>", "application/xml"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            "application/xml",
        ),
        (b"orders", "application/vnd.sitoo+json"),
    ],
)
async def test_a_malformed_body_is_a_400_and_the_service_carries_on(
    http: httpx.AsyncClient, body: bytes, content_type: str
) -> None:
    response = await post_signed(http, "/v1/transactions", body, "S001", content_type=content_type)

    assert response.status_code == HTTPStatus.BAD_REQUEST, response.text
    assert response.json()["errors"][0]["field"] == "<root>"
    assert (await http.get("/healthz")).status_code == HTTPStatus.OK


async def test_an_invalid_transaction_is_a_422_naming_each_field(
    http: httpx.AsyncClient, client: Client
) -> None:
    response = await post_signed(http, "/v1/transactions", INVALID.read_bytes(), "S001")

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    result = response.json()
    assert result["outcome"] == "rejected"
    fields = {error["field"]: error["reason"] for error in result["errors"]}
    assert "float" in fields["lines.0.unit_price"]
    assert "card number" in fields["tenders.0.reference"]
    assert not await was_started(client, transaction_workflow_id("S001", "T1", "S001-T1-001004"))


async def test_shapes_that_do_not_fit_the_endpoint(http: httpx.AsyncClient) -> None:
    two = [
        make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")]).model_dump(mode="json")
        for _ in range(2)
    ]

    several = await post_signed(http, "/v1/transactions", json.dumps(two).encode(), "S001")
    number = await post_signed(http, "/v1/transactions", b"42", "S001")
    unsupported = await post_signed(
        http, "/v1/transactions", b"a,b", "S001", content_type="text/csv"
    )

    assert several.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "one transaction" in several.json()["detail"]
    assert number.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert unsupported.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE


async def test_a_store_sending_too_fast_gets_429_with_retry_after(
    temporal_env: WorkflowEnvironment, ingest_settings: Settings, ingest_worker: None
) -> None:
    slow = ingest_settings.model_copy(update={"ingest_requests_per_second": 0.5, "ingest_burst": 2})
    app = build_app(slow, temporal_env.client)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ingest"
    ) as http:
        statuses = [
            (await post_signed(http, "/v1/transactions", b"{", "S001")).status_code
            for _ in range(3)
        ]
        other_store = await post_signed(http, "/v1/transactions", b"{", "S002")
        refused = await post_signed(http, "/v1/transactions", b"{", "S001")

    assert statuses == [400, 400, 429]
    assert other_store.status_code == HTTPStatus.BAD_REQUEST, "each store has its own budget"
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(refused.headers["Retry-After"]) >= 1
