"""What Temporal stores is encrypted: a run's history read straight from the server, by a
client without the codec, holds no ticket, customer or tender data in clear; the codec server
decodes it for the UI; a rotated key still reads old runs; a missing key is named."""

import dataclasses
import json
import logging
from typing import Any

import httpx
import pytest
from google.protobuf import json_format
from pydantic import SecretStr
from temporalio.api.common.v1 import Payloads
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from connectors.erp.errors import ErpRejected
from connectors.erp.memory import MemoryErp
from connectors.temporal import EncryptionCodec, KeyRing, PayloadKeyError
from connectors.temporal.codec import ENCODING, KEY_ID
from domain.outcomes import Outcome, SyncStage
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.codec_server.server import build_codec_app
from starter.control.runs import abandon_run
from starter.intake.submission import Submitter
from tests.codec_keys import OTHER_KEY_LINE, TEST_CODEC_KEYS
from tests.e2e.helpers import new_id, status_of, submit_and_wait
from tests.factories import make_sale, sale_line
from worker import WORKFLOW_RUNNER, WORKFLOWS

pytestmark = pytest.mark.temporal

CUSTOMER = "LOYAL-0001"


def private_sale() -> tuple[PosTransaction, str]:
    """A loyalty customer's card sale, its tender reference unique to this test."""
    reference = f"AUTH {new_id('CARD')}"
    tenders = [{"type": "card", "amount": "7.20", "reference": reference}]
    lines = [sale_line(1, "100001", "2", "3.60")]
    txn = make_sale(new_id("TKT"), lines, customer={"customer_id": CUSTOMER}, tenders=tenders)
    return txn, reference


def without_codec(client: Client) -> Client:
    return Client(
        client.service_client, namespace=client.namespace, data_converter=pydantic_data_converter
    )


async def raw_history(client: Client, workflow_id: str) -> tuple[WorkflowHistory, bytes]:
    history = await without_codec(client).get_workflow_handle(workflow_id).fetch_history()
    return history, b"".join(event.SerializeToString() for event in history.events)


def in_clear(raw: bytes, workflow_id: str, *secrets: str) -> list[str]:
    """Which of ``secrets`` appear in the raw history outside the workflow id itself (the id,
    ``pos:store:terminal:transaction``, is the dedupe key and is never encrypted)."""
    outside_id = raw.replace(workflow_id.encode(), b"")
    return [secret for secret in secrets if secret.encode() in outside_id]


async def started_input(history: WorkflowHistory, codec: EncryptionCodec) -> dict[str, Any]:
    started = history.events[0].workflow_execution_started_event_attributes
    [payload] = await codec.decode(started.input.payloads)
    decoded: dict[str, Any] = json.loads(payload.data)
    return decoded


def suite_codec() -> EncryptionCodec:
    return EncryptionCodec(KeyRing.parse(TEST_CODEC_KEYS))


async def test_a_history_read_straight_from_the_server_holds_no_ticket_data_in_clear(
    submitter: Submitter, client: Client
) -> None:
    txn, card_reference = private_sale()

    result = await submit_and_wait(submitter, client, txn)
    history, raw = await raw_history(client, txn.workflow_id)

    assert result.outcome is Outcome.POSTED, result
    ticket = (await started_input(history, suite_codec()))["transaction"]
    assert ticket["transaction_id"] == txn.transaction_id
    assert ticket["customer"]["customer_id"] == CUSTOMER
    assert ticket["tenders"][0]["reference"] == card_reference
    assert in_clear(raw, txn.workflow_id, txn.transaction_id, CUSTOMER, card_reference) == []
    assert ENCODING in raw and b"tests-1" in raw


async def test_a_parked_runs_failure_message_is_encrypted_too(
    submitter: Submitter, client: Client, memory_erp: MemoryErp
) -> None:
    txn, _ = private_sale()
    memory_erp.fail(
        "post", ErpRejected(f"books locked for {CUSTOMER}"), times=None, reference=txn.workflow_id
    )

    parked = await submit_and_wait(submitter, client, txn)
    _, raw = await raw_history(client, txn.workflow_id)
    status = await status_of(client, txn.workflow_id)
    await abandon_run(client, txn.workflow_id, "test over")
    memory_erp.clear_faults()

    assert parked.outcome is Outcome.PARKED, parked
    assert status.stage is SyncStage.PARKED and status.failure is not None
    assert "books locked" in status.failure.message
    assert in_clear(raw, txn.workflow_id, "books locked", CUSTOMER, txn.transaction_id) == []


async def test_the_codec_server_decodes_a_history_for_the_ui(
    submitter: Submitter, client: Client
) -> None:
    txn, card_reference = private_sale()
    await submit_and_wait(submitter, client, txn)
    history, _ = await raw_history(client, txn.workflow_id)
    started = history.events[0].workflow_execution_started_event_attributes
    sent = json_format.MessageToDict(started.input)
    settings = Settings(codec_server_tokens=SecretStr("ui-token"))
    transport = httpx.ASGITransport(app=build_codec_app(settings))

    async with httpx.AsyncClient(transport=transport, base_url="http://codec") as http:
        response = await http.post(
            "/decode",
            json=sent,
            headers={
                "Authorization": "Bearer ui-token",
                "Origin": "http://localhost:8233",
                "X-Namespace": client.namespace,
            },
        )

    assert response.status_code == 200, response.text
    [decoded] = json_format.ParseDict(response.json(), Payloads()).payloads
    ticket = json.loads(decoded.data)["transaction"]
    assert (ticket["transaction_id"], ticket["tenders"][0]["reference"]) == (
        txn.transaction_id,
        card_reference,
    )


async def test_after_a_key_rotation_old_runs_still_decode_and_new_payloads_take_the_new_key(
    submitter: Submitter, client: Client
) -> None:
    txn, _ = private_sale()
    await submit_and_wait(submitter, client, txn)
    rotated_keys = KeyRing.parse(f"{TEST_CODEC_KEYS},{OTHER_KEY_LINE}", current_id="tests-2")
    rotated = Client(
        client.service_client,
        namespace=client.namespace,
        data_converter=dataclasses.replace(
            client.data_converter, payload_codec=EncryptionCodec(rotated_keys)
        ),
    )

    old, _ = await raw_history(rotated, txn.workflow_id)
    status = await status_of(rotated, txn.workflow_id)
    [new] = await rotated.data_converter.encode([txn])

    assert (await started_input(old, EncryptionCodec(rotated_keys)))["transaction"]["store_id"]
    assert status.stage is SyncStage.POSTED
    assert new.metadata[KEY_ID] == b"tests-2"


async def test_an_encrypted_history_replays_with_its_key_and_names_the_key_it_lacks(
    submitter: Submitter, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """Without the key the workflow task fails (its failure, encrypted, says no more) and the
    worker's log names the key: the operator's clue."""
    txn, _ = private_sale()
    await submit_and_wait(submitter, client, txn)
    history = await client.get_workflow_handle(txn.workflow_id).fetch_history()
    only_other = dataclasses.replace(
        client.data_converter, payload_codec=EncryptionCodec(KeyRing.parse(OTHER_KEY_LINE))
    )

    replayed = await replay(history, client.data_converter)
    with caplog.at_level(logging.ERROR, logger="temporalio.worker"):
        refused = await replay(history, only_other)
    logged = [record.exc_info[1] for record in caplog.records if record.exc_info]

    assert replayed is None
    assert refused is not None
    assert any(
        isinstance(error, PayloadKeyError) and error.key_id == "tests-1" for error in logged
    ), logged
    assert "key 'tests-1', which is not configured" in str(logged[0])


async def replay(history: WorkflowHistory, converter: DataConverter) -> Exception | None:
    replayer = Replayer(
        workflows=WORKFLOWS, data_converter=converter, workflow_runner=WORKFLOW_RUNNER
    )
    try:
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    except Exception as error:
        return error
    return result.replay_failure
