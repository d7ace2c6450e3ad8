"""Store activities of stock events: dedupe claims, mappings, exceptions, the journal, the
wait for a transfer's dispatch, and the stock-changed hook."""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine
from temporalio import activity

from activities.errors import raise_business_failure
from domain.erp_ids import ErpId
from domain.fingerprint import payload_hash
from domain.mapping import MissingMappings, TransactionMapping
from domain.outcomes import BusinessFailure, Outcome
from domain.stock_events import StockEvent
from domain.stock_ledger import LedgerMovement
from store.db import session_scope
from store.exceptions import record_failure
from store.mappings import resolve_codes
from store.stock_events import (
    StockEventKey,
    claim_stock_event,
    find_booked_by_reference,
    record_stock_change,
    record_stock_event,
)
from store.stock_ledger import replace_movements
from store.tables import StockEventRecord


class StockSubmission(BaseModel):
    """A stock event's workflow input: the event and the submission that claims it."""

    event: StockEvent
    submission_id: str
    submitted_at: datetime
    dispatch_wait_seconds: int = Field(
        default=3 * 24 * 3600, description="how long a transfer's receipt waits for its dispatch"
    )


class StockClaim(BaseModel):
    is_owner: bool
    workflow_id: str


class EventMappingRequest(BaseModel):
    event: StockEvent
    other_store_id: str | None = Field(default=None, description="a transfer's other store")


class EventMapping(BaseModel):
    mapping: TransactionMapping
    other_warehouse_code: str | None = None


class StockExceptionRecord(BaseModel):
    event: StockEvent
    failure: BusinessFailure
    resolution: str | None = None


class StockOutcomeRecord(BaseModel):
    event: StockEvent
    outcome: Outcome
    erp_reference: str | None = None
    erp_shipment_id: ErpId | None = None
    movements: list[LedgerMovement] = Field(default_factory=list)
    note: str | None = None


class StockChangeNotice(BaseModel):
    """Stock changed at a store for these ERP products (the hook for available-to-sell)."""

    store_id: str
    product_codes: list[str]
    cause: str


def _now() -> datetime:
    return datetime.now(UTC)


class StockStoreActivities:
    def __init__(
        self, engine: Engine, tell_tills: Callable[[str, Iterable[str]], None] | None = None
    ) -> None:
        """``tell_tills(store_id, product_codes)``: the stores' available-to-sell pushes
        (activities/available.py), told of every stock event's change (from this activity's
        thread)."""
        self._engine = engine
        self._tell_tills = tell_tills

    @activity.defn(name="stock.claim")
    def claim(self, submission: StockSubmission) -> StockClaim:
        event = submission.event
        with session_scope(self._engine) as session:
            result = claim_stock_event(
                session,
                StockEventKey(event.event_type.value, event.store_id, event.dedupe_key),
                workflow_id=event.workflow_id,
                submission_id=submission.submission_id,
                payload_hash=payload_hash(event),
                now=_now(),
            )
            return StockClaim(is_owner=result.is_owner, workflow_id=result.claim.workflow_id)

    @activity.defn(name="stock.resolve_mapping")
    def resolve_mapping(self, request: EventMappingRequest) -> EventMapping:
        event = request.event
        with session_scope(self._engine) as session:
            found = resolve_codes(session, event.store_id, event.terminal_id, event.lines)
            other = (
                resolve_codes(session, request.other_store_id, "", [])
                if request.other_store_id
                else None
            )
        for missing in (found, other):
            if isinstance(missing, MissingMappings):
                raise_business_failure(
                    missing.failure(
                        {"store_id": event.store_id, "other_store_id": request.other_store_id or ""}
                    )
                )
        assert isinstance(found, TransactionMapping)
        return EventMapping(
            mapping=found,
            other_warehouse_code=other.warehouse_code
            if isinstance(other, TransactionMapping)
            else None,
        )

    @activity.defn(name="stock.open_exception")
    def open_exception(self, record: StockExceptionRecord) -> int:
        event = record.event
        with session_scope(self._engine) as session:
            row = record_failure(
                session,
                record.failure,
                store_id=event.store_id,
                terminal_id=event.terminal_id,
                transaction_id=event.event_id,
                business_date=event.business_date,
                workflow_id=event.workflow_id,
                now=_now(),
                resolution=record.resolution,
            )
            assert row.id is not None
            return row.id

    @activity.defn(name="stock.record_outcome")
    def record_outcome(self, record: StockOutcomeRecord) -> None:
        event, now = record.event, _now()
        with session_scope(self._engine) as session:
            record_stock_event(
                session,
                StockEventRecord(
                    workflow_id=event.workflow_id,
                    event_type=event.event_type.value,
                    event_id=event.event_id,
                    store_id=event.store_id,
                    business_date=event.business_date,
                    outcome=record.outcome.value,
                    erp_reference=record.erp_reference,
                    erp_shipment_id=record.erp_shipment_id,
                    note=record.note,
                    recorded_at=now,
                ),
            )
            if record.outcome is Outcome.POSTED:
                replace_movements(
                    session,
                    event.workflow_id,
                    event.store_id,
                    event.business_date,
                    record.movements,
                    now,
                )

    @activity.defn(name="stock.dispatch_booked")
    def dispatch_booked(self, transfer_reference: str) -> bool:
        """Whether the transfer's dispatch was booked (its receipt waits for it)."""
        with session_scope(self._engine) as session:
            found = find_booked_by_reference(session, "transfer_dispatch", transfer_reference)
            return found is not None

    @activity.defn(name="stock.stock_changed")
    def stock_changed(self, notice: StockChangeNotice) -> None:
        """Stock changed at ``notice.store_id`` for these products: recorded, and the store's
        tills told their available-to-sell."""
        with session_scope(self._engine) as session:
            record_stock_change(
                session, notice.store_id, notice.product_codes, notice.cause, _now()
            )
        if self._tell_tills is not None:
            self._tell_tills(notice.store_id, notice.product_codes)

    def definitions(self) -> list[Any]:
        return [
            self.claim,
            self.resolve_mapping,
            self.open_exception,
            self.record_outcome,
            self.dispatch_booked,
            self.stock_changed,
        ]
