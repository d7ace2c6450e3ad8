"""Dedupe: each (store, terminal, transaction) is claimed once, by one submission."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.tables import TransactionClaim


@dataclass(frozen=True)
class ClaimKey:
    store_id: str
    terminal_id: str
    transaction_id: str


@dataclass(frozen=True)
class ClaimResult:
    claim: TransactionClaim
    is_owner: bool
    """True when this submission holds the claim (first time, or its own retry/reset)."""


def find_claim(session: Session, key: ClaimKey) -> TransactionClaim | None:
    return session.exec(
        select(TransactionClaim).where(
            TransactionClaim.store_id == key.store_id,
            TransactionClaim.terminal_id == key.terminal_id,
            TransactionClaim.transaction_id == key.transaction_id,
        )
    ).first()


def claim_transaction(
    session: Session,
    key: ClaimKey,
    *,
    workflow_id: str,
    submission_id: str,
    payload_hash: str,
    now: datetime,
) -> ClaimResult:
    """Claim the transaction for this submission; the database's unique key settles races."""
    existing = find_claim(session, key)
    if existing is None:
        claim = TransactionClaim(
            store_id=key.store_id,
            terminal_id=key.terminal_id,
            transaction_id=key.transaction_id,
            workflow_id=workflow_id,
            submission_id=submission_id,
            payload_hash=payload_hash,
            claimed_at=now,
        )
        try:
            with session.begin_nested():
                session.add(claim)
            return ClaimResult(claim=claim, is_owner=True)
        except IntegrityError:
            existing = find_claim(session, key)
            if existing is None:
                raise
    if existing.submission_id == submission_id:
        return ClaimResult(claim=existing, is_owner=True)
    count_duplicate(session, existing, now)
    return ClaimResult(claim=existing, is_owner=False)


def count_duplicate(session: Session, claim: TransactionClaim, now: datetime) -> None:
    """Increment in the database, not in Python: concurrent duplicates must all be counted."""
    session.execute(
        update(TransactionClaim)
        .where(col(TransactionClaim.id) == claim.id)
        .values(duplicate_count=TransactionClaim.duplicate_count + 1, last_duplicate_at=now)
    )
    session.refresh(claim)
