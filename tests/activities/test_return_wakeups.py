"""A return that finds its original sale not posted yet is noted as waiting for it, and the
sale's journal, once posted, names the returns to wake (once), on both store backends."""

import dataclasses
import uuid
from collections.abc import Sequence

from sqlalchemy import Engine, func
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.returns import ReturnActivities
from activities.store import OutcomeRecord, StoreActivities
from domain.erp_order import ErpOrderRefs
from domain.outcomes import Outcome
from domain.transaction import PosTransaction
from store.db import session_scope
from store.original_waiters import OriginalWaiter
from tests.factories import make_sale, sale_line
from tests.till_tickets import returned


def _sale() -> PosTransaction:
    return make_sale(f"TX-{uuid.uuid4().hex[:10]}", [sale_line(1, "100002", "2", "9.00")])


def _refund_of(sale: PosTransaction) -> PosTransaction:
    return make_sale(
        f"RT-{uuid.uuid4().hex[:10]}",
        [returned(1, "100002", "-1", "9.00", sale)],
        kind="return",
    )


def _find_originals_as(run: str, engine: Engine, refund: PosTransaction) -> list[str]:
    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(environment.info, workflow_id=run)
    lookup = environment.run(ReturnActivities(engine).find_originals, refund)
    return lookup.pending


def _journal(store: StoreActivities, txn: PosTransaction, outcome: Outcome) -> None:
    store.record_outcome(
        OutcomeRecord(
            transaction=txn,
            outcome=outcome,
            refs=ErpOrderRefs(reference=f"erp-{txn.transaction_id}"),
        )
    )


def _notes(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(OriginalWaiter)).one()


def test_the_sales_journal_wakes_the_returns_that_wait_for_it_once(
    store_engine: Engine,
) -> None:
    woken: list[Sequence[str]] = []
    store = StoreActivities(store_engine, woken.append)
    sale, other_sale = _sale(), _sale()
    first, second = _refund_of(sale), _refund_of(sale)

    assert _find_originals_as("run-first", store_engine, first) == [sale.transaction_id]
    assert _find_originals_as("run-first", store_engine, first) == [sale.transaction_id]
    assert _find_originals_as("run-second", store_engine, second) == [sale.transaction_id]
    assert _notes(store_engine) == 2, "a run's recheck notes it once"

    _journal(store, other_sale, Outcome.POSTED)
    _journal(store, sale, Outcome.IGNORED)
    assert woken == [], "only the sale itself, posted, wakes them"

    _journal(store, sale, Outcome.POSTED)
    _journal(store, sale, Outcome.POSTED)  # a retried journal step

    assert [sorted(runs) for runs in woken] == [["run-first", "run-second"]]
    assert _notes(store_engine) == 0
    assert _find_originals_as("run-first", store_engine, first) == []
