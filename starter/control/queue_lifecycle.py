"""Acknowledge, assign and annotate exceptions of the queue: what the sync-health page and
``tillsync exceptions ack|assign|note`` both record (store.exception_lifecycle)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from domain.operator import LifecycleAction, LifecycleChange
from store import exception_lifecycle
from store.db import session_scope


def record_lifecycle(
    engine: Engine, exception_ids: Sequence[int], change: LifecycleChange, now: datetime
) -> None:
    """Record ``change`` on each exception, in one transaction (checked beforehand with
    ``domain.operator.lifecycle_problem``, and the exceptions with the operator's queue)."""
    operator = change.operator.strip()
    with session_scope(engine) as session:
        for exception_id in exception_ids:
            if change.action is LifecycleAction.ACKNOWLEDGE:
                exception_lifecycle.acknowledge(session, exception_id, operator, now)
            elif change.action is LifecycleAction.ASSIGN:
                exception_lifecycle.assign(session, exception_id, change.assignee, operator, now)
            else:
                exception_lifecycle.add_comment(
                    session, exception_id, operator, change.text.strip(), now
                )
