"""The exception queue the sync-health page and ``tillsync exceptions`` share: filtered by
owner role, kind and store, each exception with its age, lifecycle and links; retry and
abandon of the parked runs behind a selection."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio.client import Client

from domain.exception_routing import describe_age, kinds_owned_by, owner_of
from domain.operator import OperatorAction, OperatorReply
from domain.outcomes import ExceptionKind, ExceptionOwner
from domain.settings import Settings
from starter.control.runs import abandon_run, retry_run
from store.db import session_scope
from store.exception_lifecycle import find_exceptions, lifecycles
from store.tables import SyncException


class QueueFilter(BaseModel):
    role: ExceptionOwner | None = None
    kind: ExceptionKind | None = None
    store_id: str | None = None
    exception_ids: list[int] = []
    """these exceptions only (when given)"""


class NoteView(BaseModel):
    author: str
    text: str
    at: datetime


class QueueItem(BaseModel):
    id: int
    kind: str
    owner: ExceptionOwner
    store_id: str
    terminal_id: str | None
    transaction_id: str | None
    workflow_id: str | None
    message: str
    opened_at: datetime
    age_seconds: int
    actionable: bool
    """a parked run stands behind it: retry and abandon go to that run"""
    acknowledged_by: str | None = None
    assignee: str | None = None
    notes: list[NoteView] = []
    run_url: str | None = None
    runbook_url: str

    @property
    def age(self) -> str:
        return describe_age(timedelta(seconds=self.age_seconds))


def is_actionable(kind: str, workflow_id: str | None) -> bool:
    """Whether a run may be parked behind an exception of ``kind`` (review records are
    written while the posting went ahead; gaps and jumps belong to no run)."""
    try:
        known = ExceptionKind(kind)
    except ValueError:
        return False
    return workflow_id is not None and not known.is_review_record


def run_url(settings: Settings, workflow_id: str) -> str:
    namespace = quote(settings.temporal_namespace, safe="")
    return (
        f"{settings.resolved_temporal_ui_url}/namespaces/{namespace}"
        f"/workflows/{quote(workflow_id, safe='')}"
    )


def list_queue(
    engine: Engine,
    settings: Settings,
    selection: QueueFilter,
    allowed: Iterable[ExceptionOwner],
    now: datetime | None = None,
) -> list[QueueItem]:
    """The open exceptions matching ``selection`` among those owned by ``allowed``."""
    owners = set(allowed) if selection.role is None else set(allowed) & {selection.role}
    kinds = kinds_owned_by(owners, settings.exception_owners)
    if selection.kind is not None:
        kinds = [kind for kind in kinds if kind is selection.kind]
    moment = now or datetime.now(UTC)
    with session_scope(engine) as session:
        records = find_exceptions(
            session,
            kinds=[kind.value for kind in kinds],
            store_id=selection.store_id,
            ids=selection.exception_ids,
        )
        lives = lifecycles(session, [record.id for record in records if record.id is not None])
    items = []
    for record in records:
        assert record.id is not None
        life = lives[record.id]
        item = _item(record, settings, moment)
        item.acknowledged_by, item.assignee = life.acknowledged_by, life.assignee
        item.notes = [NoteView(author=c.author, text=c.text, at=c.at) for c in life.comments]
        items.append(item)
    return items


def _item(record: SyncException, settings: Settings, now: datetime) -> QueueItem:
    assert record.id is not None
    opened = record.opened_at if record.opened_at.tzinfo else record.opened_at.replace(tzinfo=UTC)
    return QueueItem(
        id=record.id,
        kind=record.kind,
        owner=owner_of(record.kind, settings.exception_owners),
        store_id=record.store_id,
        terminal_id=record.terminal_id,
        transaction_id=record.transaction_id,
        workflow_id=record.workflow_id,
        message=record.message,
        opened_at=opened,
        age_seconds=max(int((now - opened).total_seconds()), 0),
        actionable=is_actionable(record.kind, record.workflow_id),
        run_url=run_url(settings, record.workflow_id) if record.workflow_id else None,
        runbook_url=f"{settings.runbook_url}#{record.kind}",
    )


async def act_on(
    client: Client, items: Sequence[QueueItem], action: OperatorAction, text: str
) -> list[OperatorReply]:
    """Send ``action`` (retry with ``text`` as its note, abandon with it as the reason) to
    each parked run behind ``items``, once per run."""
    replies = []
    for workflow_id in dict.fromkeys(item.workflow_id for item in items if item.actionable):
        assert workflow_id is not None
        if action is OperatorAction.RETRY:
            replies.append(await retry_run(client, workflow_id, text))
        else:
            replies.append(await abandon_run(client, workflow_id, text))
    return replies
