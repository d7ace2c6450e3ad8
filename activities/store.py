"""Store activities: dedupe claims, mapping resolution, exceptions and the journal."""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.errors import raise_business_failure
from domain.erp_order import ErpOrder, ErpOrderRefs
from domain.fingerprint import payload_hash
from domain.mapping import MissingMappings, TransactionMapping
from domain.outcomes import (
    BusinessFailure,
    ExceptionKind,
    ExceptionReport,
    Outcome,
    Submission,
)
from domain.periods import PostingMode
from domain.ticket_facts import ticket_facts
from domain.transaction import PosTransaction
from store.claims import ClaimKey, claim_transaction
from store.db import session_scope
from store.exceptions import (
    note_duplicate_arrival,
    record_failure,
    resolve_exceptions,
)
from store.journal import record_outcome
from store.mappings import resolve_mapping
from store.original_waiters import take_waiters
from store.sync_marks import mark_posted, mark_seen
from store.ticket_facts import record_facts


class ClaimOutcome(BaseModel):
    is_owner: bool
    workflow_id: str
    payload_matches: bool


class OutcomeRecord(BaseModel):
    transaction: PosTransaction
    outcome: Outcome
    refs: ErpOrderRefs | None = None
    note: str | None = None
    order: ErpOrder | None = None
    posting_mode: PostingMode | None = None
    stock_issued: bool = Field(
        default=False,
        description="abandoned books whose goods were issued all the same (the ledger keeps them)",
    )
    reserved_at: datetime | None = Field(
        default=None,
        description="when the ERP reserved the order's stock (the ledger's booking time; unset:"
        " when this is journaled)",
    )


class ExceptionRecord(BaseModel):
    transaction: PosTransaction
    failure: ExceptionReport = Field(
        description="a failure that parks the run, or a notice for review (the field keeps its"
        " name: records in flight and recorded histories carry it)"
    )
    resolution: str | None = Field(
        default=None, description="set: a record of something handled, written as resolved"
    )


class ExceptionResolution(BaseModel):
    workflow_id: str
    kinds: list[ExceptionKind]
    resolution: str


def _now() -> datetime:
    return datetime.now(UTC)


def claim_in(session: Session, submission: Submission) -> ClaimOutcome:
    """Claim the submitted ticket for its run, in ``session`` (the store's dedupe record)."""
    txn = submission.transaction
    digest = payload_hash(txn)
    result = claim_transaction(
        session,
        ClaimKey(txn.store_id, txn.terminal_id, txn.transaction_id),
        workflow_id=txn.workflow_id,
        submission_id=submission.submission_id,
        payload_hash=digest,
        now=_now(),
    )
    if result.is_owner:
        mark_seen(session, txn.store_id, txn.occurred_at, _now())
    outcome = ClaimOutcome(
        is_owner=result.is_owner,
        workflow_id=result.claim.workflow_id,
        payload_matches=result.claim.payload_hash == digest,
    )
    if not (outcome.is_owner and outcome.payload_matches):
        # Other content under the same id is a till bug worth a person's look; the
        # booked content again clears it (note_duplicate_arrival).
        note_duplicate_arrival(
            session,
            store_id=txn.store_id,
            terminal_id=txn.terminal_id,
            transaction_id=txn.transaction_id,
            business_date=txn.business_date,
            claimed_by=result.claim.workflow_id,
            same_content=outcome.payload_matches,
            now=_now(),
        )
    return outcome


def unmapped_failure(txn: PosTransaction, missing: MissingMappings) -> BusinessFailure:
    return missing.failure({"store_id": txn.store_id, "terminal_id": txn.terminal_id})


class StoreActivities:
    def __init__(
        self,
        engine: Engine,
        originals_posted: Callable[[Sequence[str]], None] | None = None,
    ) -> None:
        """``originals_posted(waiter_workflow_ids)`` is told, once a sale's journal says it is
        posted, which returns' runs wait for it (activities/returns.py wakes them)."""
        self._engine = engine
        self._originals_posted = originals_posted

    @property
    def engine(self) -> Engine:
        return self._engine

    @activity.defn(name="store.claim")
    def claim(self, submission: Submission) -> ClaimOutcome:
        with session_scope(self._engine) as session:
            return claim_in(session, submission)

    @activity.defn(name="store.resolve_mapping")
    def resolve_mapping(self, txn: PosTransaction) -> TransactionMapping:
        with session_scope(self._engine) as session:
            result = resolve_mapping(session, txn)
        if isinstance(result, TransactionMapping):
            return result
        raise_business_failure(unmapped_failure(txn, result))

    @activity.defn(name="store.open_exception")
    def open_exception(self, record: ExceptionRecord) -> int:
        txn = record.transaction
        with session_scope(self._engine) as session:
            row = record_failure(
                session,
                record.failure,
                store_id=txn.store_id,
                terminal_id=txn.terminal_id,
                transaction_id=txn.transaction_id,
                business_date=txn.business_date,
                workflow_id=txn.workflow_id,
                now=_now(),
                resolution=record.resolution,
            )
            assert row.id is not None
            return row.id

    @activity.defn(name="store.resolve_exceptions")
    def resolve_exceptions(self, resolution: ExceptionResolution) -> int:
        with session_scope(self._engine) as session:
            return resolve_exceptions(
                session, resolution.workflow_id, resolution.kinds, resolution.resolution, _now()
            )

    @activity.defn(name="store.record_outcome")
    def record_outcome(self, record: OutcomeRecord) -> None:
        with session_scope(self._engine) as session:
            record_outcome(
                session,
                record.transaction,
                outcome=record.outcome,
                refs=record.refs,
                note=record.note,
                now=_now(),
                order=record.order,
                posting_mode=record.posting_mode,
                stock_issued=record.stock_issued,
                booked_at=record.reserved_at,
            )
            txn = record.transaction
            record_facts(
                session,
                workflow_id=txn.workflow_id,
                store_id=txn.store_id,
                business_date=txn.business_date,
                outcome=record.outcome.value,
                facts=ticket_facts(txn, record.order),
            )
            waiters: list[str] = []
            if record.outcome is Outcome.POSTED:
                mark_posted(session, txn.store_id, txn.occurred_at, _now())
                waiters = take_waiters(session, txn.store_id, txn.transaction_id)
        if waiters and self._originals_posted is not None:
            self._originals_posted(waiters)
