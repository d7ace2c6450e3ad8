"""POST /v1/stock-events end to end: signed transfer and receipt events start their sagas on
the real stack; a second post is a duplicate; invalid, foreign or unsigned posts start
nothing."""

import json
from http import HTTPStatus

import httpx
import pytest
from temporalio.client import Client

from domain.outcomes import Outcome
from domain.stock_events import AnyStockEvent
from starter.intake.stock_submission import wait_event_settled
from tests.ingest.signing import post_signed
from tests.ingest.test_http_ingest import was_started
from tests.stock_events.events import dispatch, receipt, unique

pytestmark = [pytest.mark.erp, pytest.mark.temporal]
PATH = "/v1/stock-events"


def body_of(*events: AnyStockEvent) -> bytes:
    return json.dumps([json.loads(event.model_dump_json()) for event in events]).encode()


async def test_a_signed_dispatch_starts_its_saga_and_a_second_post_is_a_duplicate(
    http: httpx.AsyncClient, client: Client
) -> None:
    event = dispatch(unique("TR"), {"100003": 1})

    first = await post_signed(http, PATH, body_of(event), "S001")
    second = await post_signed(http, PATH, body_of(event), "S001")

    assert first.status_code == HTTPStatus.ACCEPTED, first.text
    assert first.json()["results"][0]["workflow_id"] == event.workflow_id
    assert (await wait_event_settled(client, event.workflow_id)).outcome is Outcome.POSTED
    assert second.status_code == HTTPStatus.OK
    assert second.json()["duplicates"] == 1


async def test_an_invalid_event_is_rejected_naming_the_field_and_the_valid_one_starts(
    http: httpx.AsyncClient, client: Client
) -> None:
    transfer_id = unique("TR")
    good = receipt(transfer_id, {"100003": 1})
    bad = json.loads(receipt(unique("TR"), {"100003": 1}).model_dump_json())
    bad["lines"][0]["quantity"] = "-2"
    body = json.dumps([json.loads(good.model_dump_json()), bad]).encode()

    response = await post_signed(http, PATH, body, "S002")

    assert response.status_code == HTTPStatus.MULTI_STATUS, response.text
    started, rejected = response.json()["results"]
    assert started["outcome"] == "started"
    assert rejected["outcome"] == "rejected"
    assert [error["field"] for error in rejected["errors"]] == ["transfer_receipt.lines.0.quantity"]
    assert await was_started(client, good.workflow_id)


async def test_another_stores_event_an_unsigned_post_and_xml_start_nothing(
    http: httpx.AsyncClient, client: Client
) -> None:
    event = dispatch(unique("TR"), {"100003": 1})
    body = body_of(event)

    foreign = await post_signed(http, PATH, body, "S002")
    unsigned = await http.post(PATH, content=body, headers={"Content-Type": "application/json"})
    xml = await post_signed(http, PATH, body, "S001", content_type="application/xml")

    assert foreign.status_code == HTTPStatus.FORBIDDEN
    assert unsigned.status_code == HTTPStatus.UNAUTHORIZED
    assert xml.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert not await was_started(client, event.workflow_id)
