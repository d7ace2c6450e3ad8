"""Generated payloads through the canonical model and the three adapters: thousands per run,
each a valid ticket with some of its values replaced by hostile ones (huge and odd numbers,
surrogates, control characters, card numbers, deep nesting), or anything at all. Nothing
escapes but the adapters' own errors, and whatever is accepted is within the model's bounds
and serialises."""

import copy
import json
import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from connectors.pos.base import AdapterResult
from connectors.pos.canonical import parse_canonical
from connectors.pos.errors import PayloadError
from connectors.pos.poslog import parse_poslog
from connectors.pos.sitoo import parse_sitoo_orders
from domain.card_numbers import contains_card_number
from domain.limits import MAX_MONEY, MAX_SEQUENCE_NUMBER
from domain.mapping import LineMapping, TransactionMapping
from domain.order_plan import plan_erp_order
from domain.screening import screen_totals
from domain.transaction import PosTransaction
from tests.factories import make_sale, sale_line
from tests.sample_data import POSLOG_DIR, SITOO_ORDERS

CANONICAL = make_sale(
    "T-1", [sale_line(1, "100001", "2", "3.60"), sale_line(2, "100002", "1", "1.25")]
).model_dump(mode="json")
SITOO = json.loads(SITOO_ORDERS.read_text())["items"]
POSLOG = ET.fromstring((POSLOG_DIR / "SMALL.xml").read_bytes())
DEEP = "<nested 5000 deep>"
FUZZ = settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])

hostile_scalars = st.one_of(
    st.sampled_from(
        [
            "1e30",
            "-1E+999999",
            "1E-999999",
            "Infinity",
            "sNaN",
            "NaN",
            "²",
            "\ud800",
            "\x00",
            "4111.1111.1111.1111",
            "2026-11-20 4111 1111 1111 1111",
            "",
            " ",
            2**31,
            2**63,
            10**20,
            -1,
            0,
            1.5,
            float("inf"),
            True,
            None,
        ]
    ),
    st.integers(),
    st.floats(),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=80),
)
json_values = st.recursive(
    hostile_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=5,
)
replacements = st.one_of(hostile_scalars, hostile_scalars, hostile_scalars, json_values)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one or two values replaced, removed, or buried deep (``DEEP``)."""
    value = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 2))):
        paths = _paths(value)
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        target = value
        for key in parents:
            target = target[key]
        action = draw(st.sampled_from(["replace", "replace", "replace", "remove", "deepen"]))
        if action == "remove" and isinstance(target, dict):
            del target[last]
        elif action == "deepen":
            target[last] = DEEP
        else:
            target[last] = draw(replacements)
    return value


def _encode(record: Any) -> bytes:
    text = json.dumps(record, default=str)
    return text.replace(json.dumps(DEEP), "[" * 5000 + "]" * 5000).encode()


def _can_finish(txn: PosTransaction) -> None:
    """What is accepted can be stored, screened, planned and serialised."""
    txn.model_dump_json().encode("utf-8")
    assert txn.receipt_number <= MAX_SEQUENCE_NUMBER
    assert all(abs(amount) < MAX_MONEY for amount in vars(txn.totals).values())
    assert not any(contains_card_number(tender.reference or "") for tender in txn.tenders)
    screen_totals(txn)
    mapping = TransactionMapping(
        warehouse_code="WH",
        lines=[LineMapping(line_number=line.line_number, product_code="P") for line in txn.lines],
    )
    plan_erp_order(txn, mapping, "ref").model_dump_json()


def _check(result: AdapterResult) -> None:
    for txn in result.transactions:
        _can_finish(txn)
    for reject in result.rejects:
        reject.model_dump_json().encode("utf-8")
        assert not contains_card_number(reject.raw)


@settings(FUZZ, max_examples=1000)
@given(mutated(CANONICAL))
def test_the_canonical_model_raises_only_validation_errors(record: Any) -> None:
    try:
        txn = PosTransaction.model_validate(record)
    except ValidationError:
        return
    _can_finish(txn)
    assert PosTransaction.model_validate_json(txn.model_dump_json()) == txn


@FUZZ
@given(st.one_of(mutated(CANONICAL), json_values))
def test_the_canonical_adapter_rejects_and_never_crashes(record: Any) -> None:
    try:
        result = parse_canonical(_encode(record))
    except PayloadError:
        return
    _check(result)


@FUZZ
@given(st.one_of(mutated(SITOO[0]), mutated(SITOO[3]), json_values))
def test_the_sitoo_adapter_rejects_and_never_crashes(order: Any) -> None:
    try:
        result = parse_sitoo_orders(_encode([order]))
    except PayloadError:
        return
    _check(result)


xml_text = st.one_of(
    hostile_scalars.filter(lambda value: isinstance(value, str)),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=30),
)


@st.composite
def mutated_poslog(draw: st.DrawFn) -> bytes:
    root = copy.deepcopy(POSLOG)
    elements = list(root.iter())
    for _ in range(draw(st.integers(1, 4))):
        element = elements[draw(st.integers(0, len(elements) - 1))]
        action = draw(st.sampled_from(["text", "text", "flag", "drop", "twice"]))
        if action == "text":
            element.text = str(draw(xml_text)).replace("\x00", "")
        elif action == "flag":
            name = draw(st.sampled_from(["VoidFlag", "CancelFlag", "TrainingModeFlag"]))
            element.set(name, draw(st.sampled_from(["true", "false", "yes"])))
        else:
            for parent in elements:
                if element in list(parent):
                    if action == "drop":
                        parent.remove(element)
                    else:
                        parent.append(copy.deepcopy(element))
                    break
    return ET.tostring(root)


@settings(FUZZ, max_examples=400)
@given(mutated_poslog())
def test_the_poslog_adapter_rejects_and_never_crashes(document: bytes) -> None:
    try:
        result = parse_poslog(document)
    except PayloadError:
        return
    _check(result)
