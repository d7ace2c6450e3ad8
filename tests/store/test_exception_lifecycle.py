"""An exception's life in the store: acknowledged, assigned, annotated (tables of their own);
the queue filtered by owner (with a configured owner), kind and store; resolving itself when
its cause disappears (the missing receipts arrive; a duplicate is recognised); and each
store's health."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from activities.store import StoreActivities
from domain.outcomes import ExceptionKind, ExceptionOwner, Outcome, Submission
from domain.receipts import TerminalRef, review_receipts
from domain.settings import Settings
from starter.control.exception_queue import QueueFilter, list_queue
from store.db import session_scope
from store.exception_lifecycle import acknowledge, add_comment, assign, lifecycles
from store.exceptions import DUPLICATE_RECOGNISED, list_exceptions, open_exception
from store.health import store_health
from store.journal import record_outcome
from store.receipts import receipts_seen, record_receipt, sync_gap_exception
from tests.factories import make_sale, sale_line
from tests.store_records import arrive, post

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SETTINGS = Settings(exception_owners={ExceptionKind.ERP_REJECTED: ExceptionOwner.FINANCE})


def _open(engine: Engine, kind: ExceptionKind, store_id: str, workflow_id: str | None) -> int:
    with session_scope(engine) as session:
        record = open_exception(
            session,
            kind=kind,
            store_id=store_id,
            message=kind.value,
            now=T0,
            workflow_id=workflow_id,
            transaction_id=workflow_id,
        )
        assert record.id is not None
        return record.id


def test_acknowledged_assigned_and_annotated(store_engine: Engine) -> None:
    number = _open(store_engine, ExceptionKind.UNMAPPED_SKU, "S001", "pos:S001:T1:A")
    with session_scope(store_engine) as session:
        acknowledge(session, number, "sam", T0)
        acknowledge(session, number, "ivan", T0 + timedelta(minutes=1))
        assign(session, number, "fiona", "ivan", T0)
        assign(session, number, "sam", "ivan", T0)
        add_comment(session, number, "ivan", "mapping sent to the catalogue team", T0)
        add_comment(session, number, "sam", "x" * 5000, T0)
    with session_scope(store_engine) as session:
        life = lifecycles(session, [number])[number]
    assert (life.acknowledged_by, life.assignee) == ("ivan", "sam")
    assert [(c.author, len(c.text)) for c in life.comments] == [("ivan", 34), ("sam", 2000)]


def test_the_queue_filters_by_owner_kind_and_store(store_engine: Engine) -> None:
    rejected = _open(store_engine, ExceptionKind.ERP_REJECTED, "S001", "pos:S001:T1:R")
    mismatch = _open(store_engine, ExceptionKind.TOTALS_MISMATCH, "S002", "pos:S002:T1:M")
    rounding = _open(store_engine, ExceptionKind.TAX_ROUNDING, "S001", "pos:S001:T1:T")
    everyone = set(ExceptionOwner)

    def ids(selection: QueueFilter, allowed: set[ExceptionOwner] = everyone) -> list[int]:
        return [item.id for item in list_queue(store_engine, SETTINGS, selection, allowed, T0)]

    assert ids(QueueFilter()) == [rejected, mismatch, rounding]
    assert ids(QueueFilter(role=ExceptionOwner.FINANCE)) == [rejected, rounding]
    assert ids(QueueFilter(role=ExceptionOwner.IT)) == [], "erp_rejected is finance's here"
    assert ids(QueueFilter(kind=ExceptionKind.TOTALS_MISMATCH)) == [mismatch]
    assert ids(QueueFilter(store_id="S001")) == [rejected, rounding]
    assert ids(QueueFilter(), {ExceptionOwner.STORE_OPS}) == [mismatch]
    assert ids(QueueFilter(exception_ids=[rounding, mismatch])) == [mismatch, rounding]
    assert ids(QueueFilter(exception_ids=[rejected]), {ExceptionOwner.STORE_OPS}) == []
    assert ids(QueueFilter(role=ExceptionOwner.FINANCE), {ExceptionOwner.STORE_OPS}) == []

    items = {
        item.id: item
        for item in list_queue(
            store_engine, SETTINGS, QueueFilter(), everyone, T0 + timedelta(hours=26, minutes=5)
        )
    }
    assert items[rejected].owner is ExceptionOwner.FINANCE
    assert items[rejected].age == "1d 2h"
    assert items[rejected].actionable and not items[rounding].actionable
    assert items[rejected].runbook_url == "/docs/runbook.md#erp_rejected"
    assert items[rejected].run_url == (
        "http://localhost:8233/namespaces/default/workflows/pos%3AS001%3AT1%3AR"
    )


def test_a_receipt_gap_resolves_when_the_receipts_arrive_and_keeps_its_history(
    store_engine: Engine,
) -> None:
    terminal = TerminalRef(store_id="S001", terminal_id="T9")

    def review(now: datetime) -> None:
        with session_scope(store_engine) as session:
            seen = receipts_seen(session, terminal)
            sync_gap_exception(
                session, terminal, review_receipts(seen, now=now, grace=timedelta(0)), now
            )

    with session_scope(store_engine) as session:
        for number in (1, 4):
            record_receipt(session, terminal, number, f"TX-{number}", T0)
    review(T0)
    [gap] = list_queue(
        store_engine, SETTINGS, QueueFilter(kind=ExceptionKind.RECEIPT_GAP), set(ExceptionOwner), T0
    )
    with session_scope(store_engine) as session:
        acknowledge(session, gap.id, "sam", T0)
        for number in (2, 3):
            record_receipt(session, terminal, number, f"TX-{number}", T0)
    review(T0 + timedelta(minutes=1))

    assert (
        list_queue(
            store_engine,
            SETTINGS,
            QueueFilter(kind=ExceptionKind.RECEIPT_GAP),
            set(ExceptionOwner),
            T0,
        )
        == []
    )
    with session_scope(store_engine) as session:
        [resolved] = [r for r in list_exceptions(session, state="resolved") if r.id == gap.id]
        assert resolved.resolution == "the missing receipts arrived"
        assert lifecycles(session, [gap.id])[gap.id].acknowledged_by == "sam"


def _submission(txn_json: str) -> Submission:
    from domain.transaction import PosTransaction

    return Submission(
        transaction=PosTransaction.model_validate_json(txn_json),
        submission_id=uuid.uuid4().hex,
        submitted_at=T0,
    )


def test_a_duplicate_with_other_content_opens_once_and_resolves_when_recognised(
    store_engine: Engine,
) -> None:
    booked = make_sale("TX-DUP", [sale_line(1, "100001", "1", "3.60")])
    altered = make_sale("TX-DUP", [sale_line(1, "100001", "2", "3.60")])
    store = StoreActivities(store_engine)

    def duplicates(state: str) -> list[tuple[object, ...]]:
        with session_scope(store_engine) as session:
            return [
                (record.transaction_id, record.details.get("arrivals"), record.resolution)
                for record in list_exceptions(session, state=state)
                if record.kind == ExceptionKind.DUPLICATE.value
            ]

    assert store.claim(_submission(booked.model_dump_json())).is_owner
    assert duplicates("open") == []
    for _ in range(2):
        outcome = store.claim(_submission(altered.model_dump_json()))
        assert (outcome.is_owner, outcome.payload_matches) == (False, False)
    assert duplicates("open") == [("TX-DUP", 2, None)]

    again = store.claim(_submission(booked.model_dump_json()))
    assert (again.is_owner, again.payload_matches) == (False, True)
    assert duplicates("open") == []
    assert duplicates("resolved") == [("TX-DUP", 2, DUPLICATE_RECOGNISED)]


def test_each_stores_health(store_engine: Engine) -> None:
    tickets = [
        make_sale(
            f"TX-H{number}",
            [sale_line(1, "100001", "1", "3.60")],
            store_id="S7",
            receipt_number=number,
        )
        for number in (1, 2, 3)
    ]
    with session_scope(store_engine) as session:
        for minute, txn in enumerate(tickets):
            arrived = T0 + timedelta(minutes=minute * 5)
            arrive(session, txn, arrived, till_time=arrived)
        post(session, tickets[0], T0, till_time=T0)
        record_outcome(session, tickets[1], outcome=Outcome.ABANDONED, refs=None, now=T0)
    _open(store_engine, ExceptionKind.TOTALS_MISMATCH, "S7", tickets[2].workflow_id)
    with session_scope(store_engine) as session:
        open_exception(
            session,
            kind=ExceptionKind.RECEIPT_GAP,
            store_id="S7",
            terminal_id="T1",
            message="gap",
            now=T0,
            details={"missing": [[4, 6]], "missing_count": 3},
        )
        now, silent_after = T0 + timedelta(minutes=12), timedelta(minutes=30)
        [as_store_ops] = store_health(
            session, ["totals_mismatch", "receipt_gap"], now, silent_after
        )
        [as_finance] = store_health(session, ["tax_rounding"], now, silent_after)

    assert as_store_ops.store_id == "S7"
    assert (as_store_ops.tickets_seen, as_store_ops.in_flight) == (3, 1)
    assert as_store_ops.outcomes == {"posted": 1, "abandoned": 1}
    assert (as_store_ops.last_seen, as_store_ops.last_posted) == ("TX-H3", "TX-H1")
    assert (as_store_ops.lag, as_store_ops.lag_text) == (timedelta(minutes=10), "10m")
    assert (as_store_ops.silent_text, as_store_ops.silent) == ("2m", False)
    assert (as_store_ops.open_exceptions, as_store_ops.missing_receipts) == (2, 3)
    assert (as_finance.open_exceptions, as_finance.missing_receipts) == (0, 0)
