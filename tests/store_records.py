"""Store rows written as the runs write them, for tests that set their scene by hand: a
ticket's arrival (its claim and the store's sync mark), its posting, its facts, and open
exceptions."""

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlmodel import Session

from domain.outcomes import ExceptionKind, Outcome
from domain.ticket_facts import TicketFactsRecord
from domain.transaction import PosTransaction
from store.claims import ClaimKey, claim_transaction
from store.db import create_store_engine, session_scope
from store.exceptions import open_exception
from store.journal import record_outcome
from store.sync_marks import mark_posted, mark_seen
from store.ticket_facts import record_facts


def arrive(
    session: Session, txn: PosTransaction, arrived: datetime, till_time: datetime | None = None
) -> None:
    """``txn`` claimed by its run at ``arrived`` (rung at ``till_time``, default its own)."""
    claim_transaction(
        session,
        ClaimKey(txn.store_id, txn.terminal_id, txn.transaction_id),
        workflow_id=txn.workflow_id,
        submission_id=txn.transaction_id,
        payload_hash="h",
        now=arrived,
    )
    mark_seen(session, txn.store_id, till_time or txn.occurred_at, arrived)


def post(
    session: Session, txn: PosTransaction, posted: datetime, till_time: datetime | None = None
) -> None:
    """``txn`` journaled as posted at ``posted``."""
    record_outcome(session, txn, outcome=Outcome.POSTED, refs=None, now=posted)
    mark_posted(session, txn.store_id, till_time or txn.occurred_at, posted)


def record_ticket_facts(
    session: Session,
    store_id: str,
    number: int | str,
    day: date,
    cashier: str | None,
    *,
    refunds: int = 0,
    overrides: int = 0,
    unreferenced: int = 0,
    products: Sequence[str] = (),
) -> None:
    """A posted ticket's facts (refunded, overridden and unreferenced return lines), of the run
    ``pos:<store_id>:T1:<number>``."""
    record_facts(
        session,
        workflow_id=f"pos:{store_id}:T1:{number}",
        store_id=store_id,
        business_date=day,
        outcome="posted",
        facts=TicketFactsRecord(
            cashier_id=cashier,
            occurred_at=datetime.combine(day, datetime.min.time(), UTC),
            refund_lines=refunds,
            manual_overrides=overrides,
            unreferenced_return_lines=unreferenced,
            products=list(products),
        ),
    )


def open_exceptions(
    store_url: str, seeded: Sequence[tuple[str, ExceptionKind]], now: datetime
) -> list[int]:
    """One open exception per (store, kind), each of its own run; their ids."""
    ids = []
    with session_scope(create_store_engine(store_url)) as session:
        for number, (store_id, kind) in enumerate(seeded):
            record = open_exception(
                session,
                kind=kind,
                store_id=store_id,
                message=f"{kind.value} at {store_id}",
                now=now,
                workflow_id=f"pos:{store_id}:T1:{number}",
                transaction_id=f"A-{number + 1:04d}",
            )
            assert record.id is not None
            ids.append(record.id)
    return ids
