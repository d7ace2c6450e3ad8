"""Receipt numbers seen per terminal, and the receipt_gap exception each terminal may have open."""

from datetime import UTC, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from domain.outcomes import ExceptionKind
from domain.receipts import GapReview, ReceiptGap, TerminalRef
from store.exceptions import open_exception
from store.tables import ReceiptSeen, SyncException

GAP_CLOSED = "the missing receipts arrived"


def record_receipt(
    session: Session, terminal: TerminalRef, receipt_number: int, transaction_id: str, now: datetime
) -> bool:
    """Remember a receipt number. True when it may open or fill a gap: it is new and not the
    next number after the terminal's highest so far (the one case that changes nothing)."""
    highest = session.exec(
        select(func.max(ReceiptSeen.receipt_number)).where(
            ReceiptSeen.store_id == terminal.store_id,
            ReceiptSeen.terminal_id == terminal.terminal_id,
        )
    ).one()
    row = ReceiptSeen(
        store_id=terminal.store_id,
        terminal_id=terminal.terminal_id,
        receipt_number=receipt_number,
        transaction_id=transaction_id,
        seen_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return highest is not None and receipt_number != highest + 1


def receipts_seen(session: Session, terminal: TerminalRef) -> dict[int, datetime]:
    """Each receipt number received from the terminal, and when (UTC)."""
    rows = session.exec(
        select(ReceiptSeen.receipt_number, ReceiptSeen.seen_at).where(
            ReceiptSeen.store_id == terminal.store_id,
            ReceiptSeen.terminal_id == terminal.terminal_id,
        )
    ).all()
    return {number: _utc(seen_at) for number, seen_at in rows}


def open_gap_exception(session: Session, terminal: TerminalRef) -> SyncException | None:
    return session.exec(
        select(SyncException).where(
            SyncException.kind == ExceptionKind.RECEIPT_GAP.value,
            SyncException.state == "open",
            SyncException.store_id == terminal.store_id,
            SyncException.terminal_id == terminal.terminal_id,
        )
    ).first()


def sync_gap_exception(
    session: Session, terminal: TerminalRef, review: GapReview, now: datetime
) -> SyncException | None:
    """Make the terminal's receipt_gap exception name exactly the overdue numbers: open it,
    update it, or resolve it when they all arrived. Returns the open exception, if any."""
    existing = open_gap_exception(session, terminal)
    if not review.overdue:
        if existing is not None:
            existing.state = "resolved"
            existing.resolved_at = now
            existing.resolution = GAP_CLOSED
            session.add(existing)
            session.flush()
        return None
    gap = ReceiptGap(
        store_id=terminal.store_id, terminal_id=terminal.terminal_id, missing=review.overdue
    )
    details = {"missing": review.overdue}
    if existing is not None:
        if existing.details != details:
            existing.message = gap.describe()
            existing.details = details
            session.add(existing)
            session.flush()
        return existing
    return open_exception(
        session,
        kind=ExceptionKind.RECEIPT_GAP,
        store_id=terminal.store_id,
        terminal_id=terminal.terminal_id,
        message=gap.describe(),
        details=details,
        now=now,
    )


def _utc(value: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; the store writes them in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
