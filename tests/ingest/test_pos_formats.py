"""The ingest takes POSLog and Sitoo payloads by Content-Type, through the existing adapters."""

import json
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from connectors.erp.tryton import TrytonRest
from domain.mapping import MappingKind, MappingRow
from domain.outcomes import Outcome
from domain.receipts import TerminalRef
from domain.transaction import TransactionKind
from starter.intake.submission import wait_settled
from store.db import session_scope
from store.mappings import import_mappings
from store.receipts import receipts_seen
from tests.ingest.signing import post_signed
from tests.ingest.test_replay import submission_of
from tests.sample_data import POSLOG_DIR

pytestmark = [pytest.mark.erp, pytest.mark.temporal]

SMALL = POSLOG_DIR / "SMALL.xml"
SITOO_ORDERS = Path(__file__).parents[1] / "data" / "sitoo" / "orders.json"
SITOO = "application/vnd.sitoo+json"


def sitoo_order(order_id: int) -> dict[str, Any]:
    orders: list[dict[str, Any]] = json.loads(SITOO_ORDERS.read_text())["items"]
    return next(order for order in orders if order["orderid"] == order_id)


async def test_a_poslog_document_starts_its_sale_and_notes_the_sign_on(
    http: httpx.AsyncClient, client: Client, ingest_engine: Engine
) -> None:
    response = await post_signed(
        http, "/v1/transactions:batch", SMALL.read_bytes(), "9", content_type="application/xml"
    )

    assert response.status_code == HTTPStatus.MULTI_STATUS, response.text
    sign_on, sale = response.json()["results"]
    assert (sign_on["outcome"], sign_on["status"]) == ("skipped", 200)
    assert "OperatorSignOn" in sign_on["reason"]
    assert (sale["outcome"], sale["status"]) == ("started", 202)
    submission = await submission_of(client, sale["workflow_id"])
    assert submission.transaction.store_id == "9"
    with session_scope(ingest_engine) as session:
        terminal = TerminalRef(store_id="9", terminal_id=submission.transaction.terminal_id)
        assert submission.transaction.receipt_number in receipts_seen(session, terminal)


async def test_a_poslog_document_of_another_store_is_forbidden(http: httpx.AsyncClient) -> None:
    response = await post_signed(
        http, "/v1/transactions:batch", SMALL.read_bytes(), "S001", content_type="text/xml"
    )

    assert response.status_code == HTTPStatus.FORBIDDEN


async def test_a_sitoo_refund_arrives_as_a_return_referencing_its_original_order(
    http: httpx.AsyncClient, client: Client
) -> None:
    body = json.dumps(sitoo_order(10504)).encode()

    response = await post_signed(http, "/v1/transactions", body, "SE-STO-01", content_type=SITOO)

    assert response.status_code == HTTPStatus.ACCEPTED, response.text
    refund = (await submission_of(client, response.json()["workflow_id"])).transaction
    assert refund.kind is TransactionKind.RETURN
    (line,) = refund.lines
    assert line.quantity == Decimal(-1)
    assert line.return_of is not None
    assert (line.return_of.transaction_id, line.return_of.line_number) == ("10501", 88101)
    assert refund.totals.gross == Decimal("-159.20")


async def test_a_parked_sitoo_order_is_ignored_and_books_no_stock(
    http: httpx.AsyncClient, client: Client, ingest_engine: Engine, tryton_rest: TrytonRest
) -> None:
    """Nothing is booked under the order's reference: the goods' stock levels would not say
    so, since other tests' sales of the same goods may still be committing in the sandbox."""
    with session_scope(ingest_engine) as session:
        import_mappings(
            session,
            [
                MappingRow(kind=MappingKind.LOCATION, store_id="SE-STO-01", erp_code="WH-LON"),
                MappingRow(kind=MappingKind.SKU, pos_code="SH-410-SND-L", erp_code="TEA-001"),
            ],
        )
    body = json.dumps(sitoo_order(10502)).encode()

    response = await post_signed(http, "/v1/transactions", body, "SE-STO-01", content_type=SITOO)

    assert response.status_code == HTTPStatus.ACCEPTED, response.text
    workflow_id = response.json()["workflow_id"]
    result = await wait_settled(client, workflow_id)
    assert result.outcome is Outcome.IGNORED
    for model in ("sale.sale", "stock.shipment.out"):  # per-transaction mode's, daily mode's
        booked = await tryton_rest.search(model, [("reference", "like", f"{workflow_id}%")], ["id"])
        assert booked == [], f"{model} booked for an ignored order"
