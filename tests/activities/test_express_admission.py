"""ticket.admit_and_reserve on its own (no workflow): what it leaves for the saga's steps when
the ERP or the store does not go along."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from temporalio.testing import ActivityEnvironment

from activities.admission import Admission, AdmissionActivities, AdmissionRequest
from activities.erp import ErpActivities
from activities.finance import FinanceActivities
from activities.store import OutcomeRecord, StoreActivities
from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.erp.memory import MemoryErp
from domain.outcomes import ExceptionKind, Submission
from domain.periods import PostingMode
from domain.settings import Settings
from domain.transaction import PosTransaction
from store.db import session_scope
from store.journal import find_entry
from tests.factories import make_sale, sale_line
from tests.sample_data import demo_memory_erp, open_example_store


class StoreRefusingTheJournal(StoreActivities):
    def record_outcome(self, record: OutcomeRecord) -> None:
        raise OperationalError("INSERT INTO journal_entries", None, Exception("disk I/O error"))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with open_example_store(f"sqlite:///{tmp_path / 'store.db'}") as engine:
        yield engine


@pytest.fixture
def erp() -> MemoryErp:
    return demo_memory_erp()


def admission_activities(
    engine: Engine, erp: MemoryErp, store: StoreActivities | None = None
) -> AdmissionActivities:
    settings = Settings(erp_posting_mode=PostingMode.DAILY)
    finance = FinanceActivities(engine, erp, None, settings)  # type: ignore[arg-type]
    return AdmissionActivities(
        store or StoreActivities(engine), finance, ErpActivities(erp, Decimal("0.01"))
    )


def a_sale() -> PosTransaction:
    return make_sale(f"TX-{uuid.uuid4().hex[:10]}", [sale_line(1, "100002", "2", "9.00")])


async def admit(activities: AdmissionActivities, txn: PosTransaction) -> Admission:
    submission = Submission(
        transaction=txn, submission_id=uuid.uuid4().hex, submitted_at=datetime.now(UTC)
    )
    request = AdmissionRequest(submission=submission, reference=txn.workflow_id)
    return await ActivityEnvironment().run(activities.admit_and_reserve, request)


async def test_a_sale_is_reserved_and_journaled(engine: Engine, erp: MemoryErp) -> None:
    txn = a_sale()

    admission = await admit(admission_activities(engine, erp), txn)

    assert admission.reservation is not None and admission.journaled
    assert (admission.reserved_under, admission.reserved_codes) == (txn.workflow_id, ["MUG-001"])
    assert erp.effects(txn.workflow_id) == {"reserved": 1}
    with session_scope(engine) as session:
        entry = find_entry(session, txn.workflow_id)
    assert entry is not None and (entry.outcome, entry.erp_reference) == (
        "posted",
        txn.workflow_id,
    )


async def test_a_journal_the_store_refuses_is_left_to_the_saga(
    engine: Engine, erp: MemoryErp
) -> None:
    txn = a_sale()
    activities = admission_activities(engine, erp, StoreRefusingTheJournal(engine))

    admission = await admit(activities, txn)

    assert admission.reservation is not None, "the reservation stands: the goods left the till"
    assert not admission.journaled
    with session_scope(engine) as session:
        assert find_entry(session, txn.workflow_id) is None


async def test_an_erp_that_is_down_leaves_the_reservation_to_the_stock_stage(
    engine: Engine, erp: MemoryErp
) -> None:
    txn = a_sale()
    erp.fail("reserve", ErpUnavailable("503"), reference=txn.workflow_id)

    admission = await admit(admission_activities(engine, erp), txn)

    assert admission.claim.is_owner and admission.mapping is not None
    assert admission.plan is not None, "admitted all the same"
    assert admission.reserved_under == txn.workflow_id, "sent: the stage reserves it again"
    assert (admission.reservation, admission.refusal, admission.journaled) == (None, None, False)


async def test_an_erp_refusal_is_handed_to_the_stock_stage_to_park_with(
    engine: Engine, erp: MemoryErp
) -> None:
    txn = a_sale()
    erp.fail("reserve", ErpRejected("credit hold"), reference=txn.workflow_id, after_effect=True)

    admission = await admit(admission_activities(engine, erp), txn)

    assert admission.refusal is not None
    assert admission.refusal.kind is ExceptionKind.ERP_REJECTED
    assert "credit hold" in admission.refusal.message
    assert (admission.reserved_under, admission.reserved_codes) == (txn.workflow_id, ["MUG-001"])
    assert admission.reservation is None and not admission.journaled
