"""Dedupe: each (store, terminal, transaction) is claimed once, by one submission."""

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import select as select_columns
from sqlmodel import Session, select

from domain.sync_health import as_utc
from store.tables import DuplicateSubmission, TransactionClaim
from store.upserts import claim_row, find_by

CLAIM_KEY = ("store_id", "terminal_id", "transaction_id")
"""The claim's unique columns."""


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
    return find_by(session, TransactionClaim, asdict(key))


def is_claimed(session: Session, key: ClaimKey) -> bool:
    """Whether a submission claimed the transaction (asked of every ticket the ingest takes)."""
    return session.connection().execute(_CLAIMED, asdict(key)).first() is not None


_CLAIMS = TransactionClaim.__table__.c  # type: ignore[attr-defined]
_CLAIMED = select_columns(_CLAIMS.id).where(
    *(_CLAIMS[column] == bindparam(column) for column in CLAIM_KEY)
)


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
    claim = TransactionClaim(
        store_id=key.store_id,
        terminal_id=key.terminal_id,
        transaction_id=key.transaction_id,
        workflow_id=workflow_id,
        submission_id=submission_id,
        payload_hash=payload_hash,
        claimed_at=as_utc(now),
    )
    existing, inserted = claim_row(session, claim, CLAIM_KEY)
    if inserted or existing.submission_id == submission_id:
        return ClaimResult(claim=existing, is_owner=True)
    record_duplicate(session, key, workflow_id, now, detected_by="workflow")
    return ClaimResult(claim=existing, is_owner=False)


def record_duplicate(
    session: Session, key: ClaimKey, workflow_id: str, now: datetime, *, detected_by: str
) -> None:
    """Log one more arrival of a transaction (a row each, so concurrent ones all count)."""
    session.add(
        DuplicateSubmission(
            store_id=key.store_id,
            terminal_id=key.terminal_id,
            transaction_id=key.transaction_id,
            workflow_id=workflow_id,
            detected_by=detected_by,
            seen_at=now,
        )
    )
    session.flush()


def count_duplicates(session: Session, key: ClaimKey) -> int:
    return len(
        session.exec(
            select(DuplicateSubmission.id).where(
                DuplicateSubmission.store_id == key.store_id,
                DuplicateSubmission.terminal_id == key.terminal_id,
                DuplicateSubmission.transaction_id == key.transaction_id,
            )
        ).all()
    )
