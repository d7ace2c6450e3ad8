"""The chaos run's seeded parts: the same seed gives the same day and the same faults."""

from collections import Counter

from domain.transaction import PosTransaction
from tests.chaos.day import store_day
from tests.chaos.malformed import BREAKAGES, malformed, names_field
from tests.chaos.schedule import (
    FULL,
    SAGA_STEPS,
    SHORT,
    TIMED_KINDS,
    WORKER_KILL,
    fault_schedule,
)


def test_a_seed_gives_one_schedule_and_another_seed_another() -> None:
    assert fault_schedule(7, FULL) == fault_schedule(7, FULL)
    assert fault_schedule(7, FULL) != fault_schedule(8, FULL)


def test_the_schedule_kills_a_worker_in_every_saga_step_and_injects_every_kind() -> None:
    for plan in (FULL, SHORT):
        faults = fault_schedule(3, plan)
        assert {fault.kind for fault in faults} == set(TIMED_KINDS)
        killed = Counter(fault.step for fault in faults if fault.kind == WORKER_KILL)
        assert set(killed) == set(SAGA_STEPS)
        assert sum(killed.values()) == len(SAGA_STEPS) + plan.extra_kills
        assert [fault.at for fault in faults] == sorted(fault.at for fault in faults)
        assert all(0.05 <= fault.at <= 0.85 for fault in faults)


def test_the_short_plan_injects_each_kind_once_and_shorter_erp_faults() -> None:
    kinds = Counter(fault.kind for fault in fault_schedule(1, SHORT) if fault.kind != WORKER_KILL)
    assert set(kinds.values()) == {1}
    assert SHORT.erp_down_seconds < FULL.erp_down_seconds == 60


def test_the_day_is_seeded_valid_and_holds_every_kind_of_ticket() -> None:
    day = store_day(600, 11)
    assert [t.payload for t in day] == [t.payload for t in store_day(600, 11)]
    assert Counter(t.kind for t in day).keys() == {
        "sale",
        "return",
        "exchange",
        "incomplete",
        "unmapped_sku",
        "unmapped_store",
        "offline",
    }
    for ticket in day:
        PosTransaction.model_validate(ticket.payload)
    assert all(not t.stock_change for t in day if not t.postable)


def test_a_return_takes_back_a_line_an_earlier_sale_sold_once_at_most() -> None:
    day = store_day(600, 5)
    sold = {
        (t.transaction_id, line["line_number"])
        for t in day
        if t.kind == "sale"
        for line in t.payload["lines"]
    }
    returned = [
        (line["return_of"]["transaction_id"], line["return_of"]["line_number"])
        for t in day
        for line in t.payload["lines"]
        if "return_of" in line
    ]
    assert returned and set(returned) <= sold
    assert len(returned) == len(set(returned))


def test_malformed_payloads_break_one_named_field_each_under_ids_of_their_own() -> None:
    valid = [t.payload for t in store_day(100, 2)]
    bad = malformed(valid, 40, 2)
    assert {field for _, field in bad} == {field for field, _ in BREAKAGES}
    assert len({p["transaction_id"] for p, _ in bad if "transaction_id" in p}) == 36
    assert not {p.get("transaction_id") for p, _ in bad} & {p["transaction_id"] for p in valid}


def test_a_refusal_names_the_field_only_when_one_of_its_errors_does() -> None:
    errors = [{"field": "lines.0.quantity", "reason": "must be a string"}]
    assert names_field(errors, "lines.0.quantity")
    assert names_field([{"field": "tenders.0.reference.x"}], "tenders.0.reference")
    assert not names_field(errors, "lines.0.unit_price")
    assert not names_field([{"field": "lines.0.quantity_x"}], "lines.0.quantity")
    assert not names_field([], "currency")
