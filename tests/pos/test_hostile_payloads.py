"""What a careless till or an attacker sends is refused naming the field, never a crash:
nesting, numbers beyond the bounds, and more records than a request may carry."""

import json
from copy import deepcopy
from typing import Any

import pytest

from connectors.pos.base import AdapterResult
from connectors.pos.canonical import parse_canonical
from connectors.pos.errors import PayloadError
from connectors.pos.guards import TooManyRecords
from connectors.pos.poslog import parse_poslog
from connectors.pos.sitoo import parse_sitoo_orders
from starter.intake.formats import SourceFormat, parse_payload
from tests import poslog_builders as poslog
from tests.factories import make_sale, sale_line
from tests.sample_data import SITOO_ORDERS

DEEP = 100_000


def _canonical_sale() -> dict[str, Any]:
    return make_sale("T-1", [sale_line(1, "100001", "2", "3.60")]).model_dump(mode="json")


def sitoo_sale() -> dict[str, Any]:
    order: dict[str, Any] = json.loads(SITOO_ORDERS.read_text())["items"][0]
    return deepcopy(order)


def deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"a": value}
    return value


def _only_error(result: AdapterResult) -> tuple[str, str]:
    assert result.transactions == []
    (rejected,) = result.rejects
    (error,) = rejected.errors
    return error.field, error.reason


@pytest.mark.parametrize("parse", [parse_canonical, parse_sitoo_orders])
def test_json_nested_100000_deep_is_an_unreadable_payload(parse: Any) -> None:
    with pytest.raises(PayloadError, match="nested deeper"):
        parse(deep_json(DEEP))


def test_a_canonical_record_nested_deep_is_rejected_naming_where() -> None:
    record = _canonical_sale() | {"note": _nested(DEEP)}

    field, reason = _only_error(parse_canonical([record]))

    assert field.startswith("note.a.a.a")
    assert "nested deeper" in reason


def test_a_sitoo_order_nested_deep_is_rejected_naming_where() -> None:
    order = sitoo_sale()
    order["additionaldata"] = _nested(200)

    field, reason = _only_error(parse_sitoo_orders([order]))

    assert field.startswith("additionaldata.a.a")
    assert "nested deeper" in reason


def test_a_deep_json_line_is_rejected_on_its_own() -> None:
    good = json.dumps(_canonical_sale()).encode()

    result = parse_canonical(good + b"\n" + deep_json(DEEP) + b"\n")

    assert len(result.transactions) == 1
    assert [reject.source_index for reject in result.rejects] == [1]


def test_a_poslog_transaction_nested_100000_deep_is_an_unreadable_payload() -> None:
    deep = "<Note>" * DEEP + "</Note>" * DEEP
    document = poslog.document(poslog.transaction(poslog.sale(1, "A"), deep))

    with pytest.raises(PayloadError, match="nested deeper than"):
        parse_poslog(document)


@pytest.mark.parametrize(
    ("sequence", "reason"),
    [("²", "whole number"), ("1" * 4301, "whole number"), ("2147483648", "whole number")],
)
def test_poslog_sequence_numbers_that_are_not_receipt_numbers_are_rejected(
    sequence: str, reason: str
) -> None:
    document = poslog.document(poslog.transaction(poslog.sale(1, "A"), sequence=sequence))

    field, why = _only_error(parse_poslog(document))

    assert (field, reason in why) == ("SequenceNumber", True)


@pytest.mark.parametrize(
    ("item", "field", "reason"),
    [
        (poslog.sale(1, "A", amount="1e28"), "Sale/ExtendedAmount", "below"),
        (poslog.sale(1, "A", amount="-1E+30"), "Sale/ExtendedAmount", "below"),
        (poslog.sale(1, "A", quantity="1E+999999"), "Sale/Quantity", "below"),
        (poslog.sale(1, "A", quantity="NaN"), "Sale/Quantity", "finite"),
        (poslog.sale(1, "A", price="1e30"), "Sale/RegularSalesUnitPrice", "below"),
        (poslog.tender(2, "sNaN"), "Tender/Amount", "finite"),
    ],
)
def test_poslog_numbers_beyond_the_bounds_are_rejected_naming_the_element(
    item: str, field: str, reason: str
) -> None:
    rejected_field, why = _only_error(parse_poslog(poslog.document(poslog.transaction(item))))

    assert rejected_field.endswith(field)
    assert reason in why


@pytest.mark.parametrize("orderdate", [10**12, 10**20, -1, 0])
def test_sitoo_order_dates_out_of_range_are_rejected(orderdate: int) -> None:
    order = sitoo_sale() | {"orderdate": orderdate}

    field, reason = _only_error(parse_sitoo_orders([order]))

    assert (field, "between" in reason) == ("orderdate", True)


@pytest.mark.parametrize(
    ("raw_value", "reason"),
    [
        ('"Infinity"', "finite"),
        ('"sNaN"', "finite"),
        ('"NaN"', "finite"),
        ('"1e30"', "below"),
        ("1e30", "below"),
        ("Infinity", "float"),
        ("1" + "0" * 40, "below"),
    ],
)
def test_sitoo_money_beyond_the_bounds_is_rejected_naming_the_field(
    raw_value: str, reason: str
) -> None:
    text = json.dumps(sitoo_sale() | {"moneytotal_net": "__VALUE__"})
    payload = text.replace('"__VALUE__"', raw_value).encode()

    field, why = _only_error(parse_sitoo_orders(payload))

    assert field == "moneytotal_net"
    assert reason in why


def test_a_canonical_unit_price_of_1e30_is_rejected_at_validation() -> None:
    record = _canonical_sale()
    record["lines"][0]["unit_price"] = "1e30"

    field, reason = _only_error(parse_canonical([record]))

    assert (field, "below" in reason) == ("lines.0.unit_price", True)


@pytest.mark.parametrize(
    ("source_format", "body"),
    [
        (SourceFormat.JSON, json.dumps([_canonical_sale()] * 6).encode()),
        (SourceFormat.SITOO, json.dumps([sitoo_sale()] * 6).encode()),
        (
            SourceFormat.POSLOG,
            poslog.document(
                poslog.transaction(poslog.sale(1, "A")), *(poslog.sign_on(n) for n in range(5))
            ),
        ),
    ],
)
def test_a_payload_carries_a_bounded_number_of_records(
    source_format: SourceFormat, body: bytes
) -> None:
    with pytest.raises(TooManyRecords, match="6 records; at most 5"):
        parse_payload(source_format, body, max_bytes=len(body), max_records=5)

    assert parse_payload(source_format, body, max_bytes=len(body), max_records=6)


def test_voids_and_summary_rewards_that_match_nothing_are_read_in_one_pass() -> None:
    """The shapes that once made the POSLog adapter quadratic (voids matching no sale, summary
    rewards without detail) convert: the voids drop nothing, the rewards go to the basket;
    how long larger days take is `python -m benchmarks.poslog_parse`'s figure."""
    day = poslog.quadratic_day(40)

    (txn,) = _parsed(SourceFormat.POSLOG, day).transactions

    assert [line.sku for line in txn.lines] == [f"SKU{number}" for number in range(1, 41)]
    assert len(txn.discounts) == 40


def test_a_poslog_ticket_carries_a_bounded_number_of_line_items() -> None:
    """Past 4 line items per line a ticket may hold, it is refused before anything is read."""
    day = poslog.quadratic_day(1334)  # 4,002 line items

    result = _parsed(SourceFormat.POSLOG, day)

    (reject,) = result.rejects
    assert [(error.field, error.reason) for error in reject.errors] == [
        ("RetailTransaction/LineItem", "4002 line items; at most 4000")
    ]


def _parsed(source_format: SourceFormat, body: bytes) -> AdapterResult:
    return parse_payload(source_format, body, max_bytes=len(body))
