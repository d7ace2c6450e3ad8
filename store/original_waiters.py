"""Returns waiting for their original sale: the return's run notes here which sales it waits
for, and the sale's journal takes those notes once it is posted, so that its worker can wake
the waiting runs at once (activities/returns.py) instead of leaving them to their next
recheck, which backs off to minutes.

A note is only a hint: a run still rechecks on its timers, so a wake-up lost to a crash, or to
a sale journaled while its return was writing its note, costs time, never the return. A return
that parks without its sale leaves its note (a row); the sale, if it ever comes, takes it, and
a parked run ignores the wake-up."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, delete
from sqlmodel import Field, Session, SQLModel

from domain.limits import MAX_WORKFLOW_ID_LENGTH
from store.upserts import insert_or_ignore

_KEY = ("store_id", "transaction_id", "waiter_workflow_id")


class OriginalWaiter(SQLModel, table=True):
    """A return's run waiting for the sale ``transaction_id`` of ``store_id`` to be posted."""

    __tablename__ = "original_waiters"

    store_id: str = Field(max_length=64, primary_key=True)
    transaction_id: str = Field(max_length=64, primary_key=True)
    waiter_workflow_id: str = Field(max_length=MAX_WORKFLOW_ID_LENGTH, primary_key=True)
    since: datetime


def wait_for_originals(
    session: Session, waiter_workflow_id: str, originals: Iterable[tuple[str, str]], now: datetime
) -> None:
    """Note that ``waiter_workflow_id`` waits for each (store, transaction) of ``originals``
    (since its first note)."""
    for store_id, transaction_id in originals:
        note = {
            "store_id": store_id,
            "transaction_id": transaction_id,
            "waiter_workflow_id": waiter_workflow_id,
            "since": now,
        }
        insert_or_ignore(session, OriginalWaiter, note, _KEY)


def take_waiters(session: Session, store_id: str, transaction_id: str) -> list[str]:
    """The runs waiting for this sale, their notes removed (one statement: every posted sale
    asks)."""
    found = session.connection().execute(
        _TAKE, {"store_id": store_id, "transaction_id": transaction_id}
    )
    return list(found.scalars())


_WAITERS = OriginalWaiter.__table__  # type: ignore[attr-defined]
_TAKE = (
    delete(_WAITERS)
    .where(
        _WAITERS.c.store_id == bindparam("store_id"),
        _WAITERS.c.transaction_id == bindparam("transaction_id"),
    )
    .returning(_WAITERS.c.waiter_workflow_id)
)
