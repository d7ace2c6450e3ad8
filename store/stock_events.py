"""Stock events in the store: their dedupe claims, their journal, and the stock-change log."""

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from domain.sync_health import as_utc
from store.tables import StockChange, StockEventClaim, StockEventRecord
from store.upserts import claim_row, find_by


@dataclass(frozen=True)
class StockEventKey:
    event_type: str
    store_id: str
    event_id: str


@dataclass(frozen=True)
class StockClaimResult:
    claim: StockEventClaim
    is_owner: bool


KEY_COLUMNS = ("event_type", "store_id", "event_id")
"""The stock event claim's unique columns."""


def find_stock_claim(session: Session, key: StockEventKey) -> StockEventClaim | None:
    return find_by(session, StockEventClaim, asdict(key))


def claim_stock_event(
    session: Session,
    key: StockEventKey,
    *,
    workflow_id: str,
    submission_id: str,
    payload_hash: str,
    now: datetime,
) -> StockClaimResult:
    """Claim the event for this submission (its own retries and resets keep the claim); the
    database's unique key settles races between two submissions."""
    claim = StockEventClaim(
        event_type=key.event_type,
        store_id=key.store_id,
        event_id=key.event_id,
        workflow_id=workflow_id,
        submission_id=submission_id,
        payload_hash=payload_hash,
        claimed_at=as_utc(now),
    )
    existing, inserted = claim_row(session, claim, KEY_COLUMNS)
    return StockClaimResult(
        claim=existing, is_owner=inserted or existing.submission_id == submission_id
    )


def record_stock_event(session: Session, record: StockEventRecord) -> None:
    """Journal how the event ended (a second record of the same run replaces the first)."""
    existing = session.exec(
        select(StockEventRecord).where(StockEventRecord.workflow_id == record.workflow_id)
    ).first()
    if existing is not None:
        for name, value in record.model_dump(exclude={"id"}).items():
            setattr(existing, name, value)
        record = existing
    session.add(record)
    session.flush()


def find_stock_event(session: Session, workflow_id: str) -> StockEventRecord | None:
    return session.exec(
        select(StockEventRecord).where(StockEventRecord.workflow_id == workflow_id)
    ).first()


def find_booked_by_reference(
    session: Session, event_type: str, erp_reference: str
) -> StockEventRecord | None:
    """The posted event of this type booked under ``erp_reference`` (a transfer's dispatch)."""
    return session.exec(
        select(StockEventRecord).where(
            StockEventRecord.event_type == event_type,
            StockEventRecord.erp_reference == erp_reference,
            StockEventRecord.outcome == "posted",
        )
    ).first()


def record_stock_change(
    session: Session, store_id: str, product_codes: list[str], cause: str, now: datetime
) -> None:
    session.add(
        StockChange(
            store_id=store_id, product_codes=sorted(product_codes), cause=cause, changed_at=now
        )
    )
    session.flush()


def stock_changes(session: Session, store_id: str) -> list[StockChange]:
    return list(
        session.exec(
            select(StockChange)
            .where(StockChange.store_id == store_id)
            .order_by(col(StockChange.id))
        ).all()
    )
