"""POST /v1/transactions end to end: signed requests start workflows that post to the real ERP;
everything else is refused with the right status and starts nothing."""

import asyncio
import json
import time
from http import HTTPStatus

import httpx
import pytest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from connectors.erp.tryton import TrytonRest
from domain.outcomes import Outcome
from domain.transaction import PosTransaction
from starter.intake.submission import wait_settled
from tests.e2e.helpers import new_id, sales_with_reference
from tests.factories import make_sale, sale_line
from tests.ingest.signing import get_signed, post_signed, signed_headers

pytestmark = [pytest.mark.erp, pytest.mark.temporal]


def tea_sale(store_id: str = "S001") -> PosTransaction:
    return make_sale(new_id(), [sale_line(1, "100001", "1", "3.60")], store_id=store_id)


async def was_started(client: Client, workflow_id: str) -> bool:
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        assert error.status is RPCStatusCode.NOT_FOUND
        return False
    return True


async def test_a_signed_post_starts_the_workflow_which_posts_to_the_erp(
    http: httpx.AsyncClient, client: Client
) -> None:
    txn = tea_sale()

    response = await post_signed(http, "/v1/transactions", txn.model_dump_json().encode(), "S001")

    assert response.status_code == HTTPStatus.ACCEPTED, response.text
    assert response.json() == {
        "index": 0,
        "outcome": "started",
        "status": 202,
        "transaction_id": txn.transaction_id,
        "workflow_id": txn.workflow_id,
        "errors": [],
    }
    assert (await wait_settled(client, txn.workflow_id)).outcome is Outcome.POSTED
    status = await get_signed(http, f"/v1/transactions/{txn.workflow_id}", "S001")
    assert status.status_code == HTTPStatus.OK
    assert (status.json()["stage"], status.json()["outcome"]) == ("posted", "posted")
    assert status.json()["erp"]["invoice_number"]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unsigned", HTTPStatus.UNAUTHORIZED),
        ("wrong secret", HTTPStatus.UNAUTHORIZED),
        ("body changed after signing", HTTPStatus.UNAUTHORIZED),
        ("stale timestamp", HTTPStatus.UNAUTHORIZED),
        ("unknown store", HTTPStatus.UNAUTHORIZED),
        ("another store's transaction", HTTPStatus.FORBIDDEN),
    ],
)
async def test_refused_requests_start_nothing(
    http: httpx.AsyncClient, client: Client, case: str, expected: HTTPStatus
) -> None:
    txn = tea_sale(store_id="S002" if case == "another store's transaction" else "S001")
    body = txn.model_dump_json().encode()
    headers = signed_headers("S001", body)
    if case == "unsigned":
        headers = {"Content-Type": "application/json"}
    elif case == "wrong secret":
        headers = signed_headers("S001", body, secret="guessed")
    elif case == "body changed after signing":
        body = body.replace(b'"3.60"', b'"0.01"')
    elif case == "stale timestamp":
        headers = signed_headers("S001", body, timestamp=int(time.time()) - 3600)
    elif case == "unknown store":
        headers = signed_headers("S999", body, secret="s999")

    response = await http.post("/v1/transactions", content=body, headers=headers)

    assert response.status_code == expected, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == expected
    assert not await was_started(client, txn.workflow_id)


async def test_the_same_transaction_twice_answers_the_same_workflow_and_posts_once(
    http: httpx.AsyncClient, client: Client, tryton_rest: TrytonRest
) -> None:
    txn = tea_sale()
    body = txn.model_dump_json().encode()

    first = await post_signed(http, "/v1/transactions", body, "S001")
    second = await post_signed(http, "/v1/transactions", body, "S001")

    assert (first.status_code, second.status_code) == (HTTPStatus.ACCEPTED, HTTPStatus.OK)
    assert first.json()["workflow_id"] == second.json()["workflow_id"] == txn.workflow_id
    assert second.json()["outcome"] == "duplicate"
    assert (await wait_settled(client, txn.workflow_id)).outcome is Outcome.POSTED
    assert len(await sales_with_reference(tryton_rest, txn.workflow_id)) == 1


async def test_concurrent_duplicates_start_one_workflow(
    http: httpx.AsyncClient, client: Client, tryton_rest: TrytonRest
) -> None:
    txn = tea_sale()
    body = txn.model_dump_json().encode()

    responses = await asyncio.gather(
        *(post_signed(http, "/v1/transactions", body, "S001") for _ in range(4))
    )

    assert sorted(response.status_code for response in responses) == [200, 200, 200, 202]
    assert {response.json()["workflow_id"] for response in responses} == {txn.workflow_id}
    assert (await wait_settled(client, txn.workflow_id)).outcome is Outcome.POSTED
    assert len(await sales_with_reference(tryton_rest, txn.workflow_id)) == 1


async def test_a_batch_answers_per_transaction(http: httpx.AsyncClient, client: Client) -> None:
    first, second = tea_sale(), tea_sale()
    await post_signed(http, "/v1/transactions", first.model_dump_json().encode(), "S001")
    invalid = second.model_dump(mode="json") | {"currency": "pounds"}
    body = (
        "["
        + ",".join([first.model_dump_json(), second.model_dump_json(), json.dumps(invalid)])
        + "]"
    ).encode()

    response = await post_signed(http, "/v1/transactions:batch", body, "S001")

    assert response.status_code == HTTPStatus.MULTI_STATUS, response.text
    batch = response.json()
    assert [(item["index"], item["outcome"], item["status"]) for item in batch["results"]] == [
        (0, "duplicate", 200),
        (1, "started", 202),
        (2, "rejected", 422),
    ]
    assert batch["results"][2]["errors"][0]["field"] == "currency"
    assert (batch["started"], batch["duplicates"], batch["rejected"]) == (1, 1, 1)
    assert await was_started(client, second.workflow_id)


async def test_get_answers_only_for_the_stores_own_runs(
    http: httpx.AsyncClient, client: Client
) -> None:
    txn = tea_sale()
    await post_signed(http, "/v1/transactions", txn.model_dump_json().encode(), "S001")

    other_store = await get_signed(http, f"/v1/transactions/{txn.workflow_id}", "S002")
    unknown = await get_signed(http, "/v1/transactions/pos-S001-T1-nothing", "S001")
    unsigned = await http.get(f"/v1/transactions/{txn.workflow_id}")

    assert other_store.status_code == unknown.status_code == HTTPStatus.NOT_FOUND
    assert unsigned.status_code == HTTPStatus.UNAUTHORIZED


async def test_health_answers_ok_and_openapi_documents_the_signed_transaction_routes(
    http: httpx.AsyncClient,
) -> None:
    health = await http.get("/healthz")
    document = (await http.get("/openapi.json")).json()

    assert health.status_code == HTTPStatus.OK and health.json()["status"] == "ok"
    assert {"/v1/transactions", "/v1/transactions:batch", "/v1/transactions/{workflow_id}"} <= set(
        document["paths"]
    )
    assert "PosTransaction" in document["components"]["schemas"]
    parameters = {p["name"] for p in document["paths"]["/v1/transactions"]["post"]["parameters"]}
    assert {"X-Tillsync-Store", "X-Tillsync-Timestamp", "X-Tillsync-Signature"} <= parameters
