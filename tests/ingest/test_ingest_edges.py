"""The ingest's edges, decided before any start: rejects answered over HTTP are recorded
(redacted), a batch answers per item, the signature binds the request line, bad bodies are
4xx, and parsing runs off the event loop."""

import json
import threading
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

import starter.ingest.handling
from domain.card_numbers import contains_card_number
from starter.intake.formats import parse_payload
from tests import poslog_builders as poslog
from tests.factories import make_sale, sale_line
from tests.ingest.signing import post_signed, signed_headers
from tests.ingest.stub_ingest import (
    StubIntake,
    recorded_rejects,
    stub_app,
    stub_client,
    stub_settings,
)
from tests.pos.test_hostile_payloads import deep_json, sitoo_sale

CARD = "4111.1111.1111.1111"


def _sale(transaction_id: str, store_id: str = "S001") -> dict[str, Any]:
    sale = make_sale(transaction_id, [sale_line(1, "100001", "1", "3.60")], store_id=store_id)
    return sale.model_dump(mode="json")


def _body(*records: dict[str, Any]) -> bytes:
    return json.dumps(list(records) if len(records) > 1 else records[0]).encode()


@pytest.fixture
def intake() -> StubIntake:
    return StubIntake()


async def _post(
    tmp_path: Path, intake: StubIntake, path: str, body: bytes, **options: Any
) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
    settings = stub_settings(tmp_path, **options.pop("settings", {}))
    async with stub_client(stub_app(settings, intake)) as http:
        response = await post_signed(http, path, body, options.pop("store", "S001"), **options)
    return response.status_code, response.json(), recorded_rejects(settings)


async def test_a_422_is_recorded_with_its_source_and_without_the_card_number(
    tmp_path: Path, intake: StubIntake
) -> None:
    record = _sale("T-card")
    record["tenders"][0]["reference"] = CARD

    status, answer, rows = await _post(tmp_path, intake, "/v1/transactions", _body(record))

    assert status == HTTPStatus.UNPROCESSABLE_ENTITY
    assert answer["errors"][0]["field"] == "tenders.0.reference"
    (row,) = rows
    assert row["source"] == "http POST /v1/transactions store S001"
    assert row["transaction_id"] == "T-card" and row["raw"]
    kept = json.dumps({key: row[key] for key in ("transaction_id", "errors", "raw")})
    assert not contains_card_number(kept) and "4111" not in row["raw"]
    assert intake.submitted == []


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("unreadable", HTTPStatus.BAD_REQUEST),
        ("another store", HTTPStatus.FORBIDDEN),
        ("too many records", HTTPStatus.REQUEST_ENTITY_TOO_LARGE),
        ("two on the single endpoint", HTTPStatus.UNPROCESSABLE_ENTITY),
        ("nested 100000 deep", HTTPStatus.BAD_REQUEST),
    ],
)
async def test_refusals_of_what_a_till_sent_are_recorded_redacted(
    tmp_path: Path, intake: StubIntake, case: str, status: HTTPStatus
) -> None:
    body = {
        "unreadable": f'{{"reference": "{CARD}", '.encode(),
        "another store": _body(_sale("T-other", store_id="S002")),
        "too many records": _body(*(_sale(f"T-{n}") for n in range(3))),
        "two on the single endpoint": _body(_sale("T-a"), _sale("T-b")),
        "nested 100000 deep": b"[" * 100_000 + b"]" * 100_000,
    }[case]
    path = "/v1/transactions:batch" if case == "too many records" else "/v1/transactions"

    answered, answer, rows = await _post(
        tmp_path, intake, path, body, settings={"ingest_max_batch": 2}
    )

    assert answered == status, answer
    assert answer["errors"] or answer["detail"]
    (row,) = rows
    assert row["source"].startswith(f"http POST {path} store S001")
    assert "4111" not in json.dumps(row)
    assert intake.submitted == []


async def test_a_body_too_large_is_recorded_under_the_store_it_claims(
    tmp_path: Path, intake: StubIntake
) -> None:
    status, _, rows = await _post(
        tmp_path, intake, "/v1/transactions", b" " * 2048, settings={"ingest_max_body_bytes": 1024}
    )

    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert [row["source"] for row in rows] == ["http POST /v1/transactions unverified store S001"]


async def test_an_unsigned_request_is_not_recorded(tmp_path: Path, intake: StubIntake) -> None:
    status, _, rows = await _post(
        tmp_path, intake, "/v1/transactions", _body(_sale("T-1")), secret="guessed"
    )

    assert (status, rows) == (HTTPStatus.UNAUTHORIZED, [])


async def test_a_batch_answers_per_item_when_one_start_fails(tmp_path: Path) -> None:
    intake = StubIntake(failures={"T-3": RuntimeError("the store's database went away")})
    good = [_sale(f"T-{n}") for n in range(1, 6)]
    invalid = _sale("T-bad") | {"receipt_number": 2**31}

    status, answer, rows = await _post(
        tmp_path, intake, "/v1/transactions:batch", _body(*good, invalid)
    )

    assert status == HTTPStatus.MULTI_STATUS
    assert [(item["index"], item["status"]) for item in answer["results"]] == [
        (0, 202),
        (1, 202),
        (2, 503),
        (3, 202),
        (4, 202),
        (5, 422),
    ]
    assert answer["results"][5]["errors"][0]["field"] == "receipt_number"
    assert intake.submitted == ["T-1", "T-2", "T-4", "T-5"]
    assert [row["transaction_id"] for row in rows] == ["T-bad"]


async def test_a_signature_is_good_for_its_own_method_and_path_only(
    tmp_path: Path, intake: StubIntake
) -> None:
    body = _body(_sale("T-1"))
    settings = stub_settings(tmp_path)
    async with stub_client(stub_app(settings, intake)) as http:
        for_single = signed_headers("S001", body, path="/v1/transactions")
        moved = await http.post("/v1/transactions:batch", content=body, headers=for_single)
        as_get = signed_headers("S001", b"", method="GET", path="/v1/transactions/pos-S001-x")
        elsewhere = await http.get("/v1/transactions/pos-S001-y", headers=as_get)
        own = await http.post("/v1/transactions", content=body, headers=for_single)

    assert moved.status_code == elsewhere.status_code == HTTPStatus.UNAUTHORIZED
    assert own.status_code == HTTPStatus.ACCEPTED


async def test_one_sale_and_3000_sign_ons_is_too_many_records(
    tmp_path: Path, intake: StubIntake
) -> None:
    body = poslog.document(
        poslog.transaction(poslog.sale(1, "A"), poslog.tender(2, "1.00"), grand_total="1.00"),
        *(poslog.sign_on(number) for number in range(3000)),
    )

    status, answer, _ = await _post(
        tmp_path, intake, "/v1/transactions", body, store="9", content_type="application/xml"
    )

    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "3001 records" in answer["detail"]
    assert intake.submitted == []


async def test_parsing_runs_in_a_worker_thread(
    tmp_path: Path, intake: StubIntake, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []

    def parse(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return parse_payload(*args, **kwargs)

    monkeypatch.setattr(starter.ingest.handling, "parse_payload", parse)

    status, _, _ = await _post(tmp_path, intake, "/v1/transactions", _body(_sale("T-1")))

    assert status == HTTPStatus.ACCEPTED
    assert threads and threads[0] != threading.get_ident()


def _hostile(case: str) -> tuple[bytes, str, str]:
    """A payload that once answered 500: its body, content type and store."""
    xml, sitoo = "application/xml", "application/vnd.sitoo+json"
    match case.split(": ", 1):
        case ["poslog", "nested 100000 deep"]:
            deep = "<Note>" * 100_000 + "</Note>" * 100_000
            return poslog.document(poslog.transaction(poslog.sale(1, "A"), deep)), xml, "9"
        case ["poslog", sequence] if sequence.startswith("SequenceNumber"):
            number = sequence.removeprefix("SequenceNumber ")
            return (
                poslog.document(poslog.transaction(poslog.sale(1, "A"), sequence=number)),
                xml,
                "9",
            )
        case ["poslog", "amount 1e28"]:
            return poslog.document(poslog.transaction(poslog.sale(1, "A", amount="1e28"))), xml, "9"
        case ["poslog", "Quantity 1E+999999"]:
            item = poslog.sale(1, "A", quantity="1E+999999")
            return poslog.document(poslog.transaction(item)), xml, "9"
        case ["sitoo", "nested 100000 deep"]:
            return deep_json(100_000), sitoo, "SE-STO-01"
        case ["sitoo", "orderdate 10^20"]:
            return json.dumps([sitoo_sale() | {"orderdate": 10**20}]).encode(), sitoo, "SE-STO-01"
        case ["sitoo", money]:
            text = json.dumps([sitoo_sale() | {"moneytotal_net": "__VALUE__"}])
            return text.replace('"__VALUE__"', money).encode(), sitoo, "SE-STO-01"
    raise ValueError(case)


@pytest.mark.parametrize(
    ("case", "status", "field"),
    [
        ("poslog: nested 100000 deep", HTTPStatus.BAD_REQUEST, "<root>"),
        ("poslog: SequenceNumber ²", HTTPStatus.UNPROCESSABLE_ENTITY, "SequenceNumber"),
        ("poslog: SequenceNumber " + "1" * 4301, HTTPStatus.UNPROCESSABLE_ENTITY, "SequenceNumber"),
        ("poslog: amount 1e28", HTTPStatus.UNPROCESSABLE_ENTITY, "Sale/ExtendedAmount"),
        ("poslog: Quantity 1E+999999", HTTPStatus.UNPROCESSABLE_ENTITY, "Sale/Quantity"),
        ("sitoo: nested 100000 deep", HTTPStatus.BAD_REQUEST, "<root>"),
        ("sitoo: orderdate 10^20", HTTPStatus.UNPROCESSABLE_ENTITY, "orderdate"),
        ('sitoo: "Infinity"', HTTPStatus.UNPROCESSABLE_ENTITY, "moneytotal_net"),
        ('sitoo: "sNaN"', HTTPStatus.UNPROCESSABLE_ENTITY, "moneytotal_net"),
        ("sitoo: 1e30", HTTPStatus.UNPROCESSABLE_ENTITY, "moneytotal_net"),
    ],
)
async def test_hostile_payloads_of_every_format_are_4xx_naming_the_field_and_recorded(
    tmp_path: Path, intake: StubIntake, case: str, status: HTTPStatus, field: str
) -> None:
    body, content_type, store = _hostile(case)

    answered, answer, rows = await _post(
        tmp_path, intake, "/v1/transactions", body, store=store, content_type=content_type
    )

    assert answered == status, answer
    assert any(error["field"].endswith(field) for error in answer["errors"]), answer
    assert intake.submitted == []
    assert [row["source"] for row in rows] == [f"http POST /v1/transactions store {store}"]
