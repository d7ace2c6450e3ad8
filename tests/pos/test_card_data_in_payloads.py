"""A full card number in any free-text field of any format is refused naming the field, and
nothing kept about the reject (its raw excerpt, its errors) holds the number."""

import json
from copy import deepcopy
from typing import Any

import pytest

from connectors.pos.base import AdapterResult, Reject
from connectors.pos.canonical import parse_canonical
from connectors.pos.poslog import parse_poslog
from connectors.pos.sitoo import parse_sitoo_orders
from domain.card_numbers import contains_card_number
from tests import poslog_builders as poslog
from tests.payloads import sale_payload, set_at
from tests.sample_data import SITOO_ORDERS

WRITTEN = [
    "4111.1111.1111.1111",
    "4111/1111/1111/1111",
    "4111_1111_1111_1111",
    "2026-11-20 4111 1111 1111 1111",
    "4111111111111111 12/28",
]


def _kept_text(reject: Reject) -> str:
    return reject.model_dump_json()


def _only_reject(result: AdapterResult) -> Reject:
    assert result.transactions == []
    (rejected,) = result.rejects
    assert not contains_card_number(_kept_text(rejected))
    assert "1111 1111 1111" not in rejected.raw and "1111111111111111" not in rejected.raw
    return rejected


def _canonical() -> dict[str, Any]:
    sale = sale_payload()
    sale["lines"][0]["discounts"] = []
    return sale


_CANONICAL_FIELDS: list[tuple[tuple[str | int, ...], str]] = [
    (("tenders", 0, "reference"), "tenders.0.reference"),
    (("lines", 0, "description"), "lines.0.description"),
    (("lines", 0, "sku"), "lines.0.sku"),
    (("lines", 0, "barcode"), "lines.0.barcode"),
    (("cashier_id",), "cashier_id"),
    (("customer",), "customer.customer_id"),
]


@pytest.mark.parametrize("written", WRITTEN)
@pytest.mark.parametrize(("path", "field"), _CANONICAL_FIELDS)
def test_canonical_free_text_fields_refuse_a_card_number(
    path: tuple[str | int, ...], field: str, written: str
) -> None:
    record = _canonical()
    set_at(record, path, {"customer_id": written} if path == ("customer",) else written)

    rejected = _only_reject(parse_canonical(json.dumps(record).encode()))

    assert [error.field for error in rejected.errors] == [field]
    assert "card number" in rejected.errors[0].reason


@pytest.mark.parametrize(
    ("discount_field", "kind"), [("reason", "manual_override"), ("code", "promotion")]
)
def test_canonical_discount_texts_refuse_a_card_number(discount_field: str, kind: str) -> None:
    record = _canonical()
    discount = {"kind": kind, "amount": "0.10", "code": "P1", "cashier_id": "C1", "reason": "r"}
    discount[discount_field] = WRITTEN[0]
    record["discounts"] = [discount]

    rejected = _only_reject(parse_canonical([record]))

    assert [error.field for error in rejected.errors] == [f"discounts.0.{discount_field}"]


def test_an_unknown_field_named_after_a_card_number_is_redacted_in_the_error() -> None:
    record = _canonical() | {"4111111111111111": "x"}

    rejected = _only_reject(parse_canonical([record]))

    assert rejected.errors[0].field == "[redacted card number]"


@pytest.mark.parametrize("written", WRITTEN)
def test_a_card_number_cut_by_the_excerpt_is_still_redacted(written: str) -> None:
    record = _canonical()
    record["tenders"][0]["reference"] = written
    for padding in range(300):
        record["lines"][0]["description"] = "x" * padding
        if json.dumps(record).index(written) + len(written) // 2 >= 300:
            break

    rejected = _only_reject(parse_canonical([record]))

    assert len(rejected.raw) == 300
    assert "4111" not in rejected.raw


@pytest.mark.parametrize("written", WRITTEN)
def test_poslog_reference_number_and_description_refuse_a_card_number(written: str) -> None:
    by_reference = poslog.transaction(
        poslog.sale(1, "A"), poslog.tender(2, "1.00", reference=written)
    )
    by_description = poslog.transaction(poslog.sale(1, "A", description=written), sequence="8")

    result = parse_poslog(poslog.document(by_reference, by_description))

    assert result.transactions == []
    fields = [reject.errors[0].field for reject in result.rejects]
    assert fields == ["tenders.0.reference", "lines.0.description"]
    for reject in result.rejects:
        assert not contains_card_number(_kept_text(reject))


def _sitoo() -> dict[str, Any]:
    order: dict[str, Any] = json.loads(SITOO_ORDERS.read_text())["items"][0]
    return deepcopy(order)


@pytest.mark.parametrize("written", WRITTEN)
def test_sitoo_refid_and_product_name_refuse_a_card_number(written: str) -> None:
    by_refid = _sitoo()
    by_refid["payments"][0]["refid"] = written
    by_name = _sitoo()
    by_name["orderitems"][0]["productname"] = written

    result = parse_sitoo_orders([by_refid, by_name])

    assert result.transactions == []
    fields = [reject.errors[0].field for reject in result.rejects]
    assert fields == ["tenders.0.reference", "lines.0.description"]
    for reject in result.rejects:
        assert not contains_card_number(_kept_text(reject))
