"""Receipt numbers seen per terminal, and the receipt_gap exception each terminal may have open."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from domain.outcomes import ExceptionKind
from domain.receipts import (
    MAX_LISTED_RANGES,
    GapReview,
    ReceiptGap,
    ReceiptRange,
    TerminalRef,
    count_of,
)
from store.exceptions import open_exception, resolve
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


def gap_details(ranges: list[ReceiptRange]) -> dict[str, Any]:
    """What an exception keeps of ranges: the first ``MAX_LISTED_RANGES``, and the count."""
    return {
        "missing": [[span.first, span.last] for span in ranges[:MAX_LISTED_RANGES]],
        "missing_count": count_of(ranges),
    }


def sync_gap_exception(
    session: Session, terminal: TerminalRef, review: GapReview, now: datetime
) -> SyncException | None:
    """Make the terminal's receipt_gap exception name exactly the overdue gaps: open it,
    update it, or resolve it when they all arrived; open a receipt_jump exception for each
    jump not reported before. Returns the open receipt_gap exception, if any."""
    _report_jumps(session, terminal, review.jumps, now)
    existing = open_gap_exception(session, terminal)
    if not review.overdue:
        if existing is not None:
            resolve(session, [existing], GAP_CLOSED, now)
        return None
    gap = ReceiptGap(
        store_id=terminal.store_id, terminal_id=terminal.terminal_id, missing=review.overdue
    )
    details = gap_details(review.overdue)
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


def _report_jumps(
    session: Session, terminal: TerminalRef, jumps: list[ReceiptRange], now: datetime
) -> None:
    """One receipt_jump exception per jump, once: resolving it does not bring it back."""
    reported = {
        (record.details.get("first"), record.details.get("last"))
        for record in session.exec(
            select(SyncException).where(
                SyncException.kind == ExceptionKind.RECEIPT_JUMP.value,
                SyncException.store_id == terminal.store_id,
                SyncException.terminal_id == terminal.terminal_id,
            )
        ).all()
    }
    for jump in jumps:
        if (jump.first, jump.last) in reported:
            continue
        open_exception(
            session,
            kind=ExceptionKind.RECEIPT_JUMP,
            store_id=terminal.store_id,
            terminal_id=terminal.terminal_id,
            message=ReceiptGap(
                store_id=terminal.store_id,
                terminal_id=terminal.terminal_id,
                missing=[],
                jumps=[jump],
            ).describe(),
            details={"first": jump.first, "last": jump.last, "count": jump.count},
            now=now,
        )


def _utc(value: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; the store writes them in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
