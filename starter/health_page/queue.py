"""The exception queue (``/exceptions``): filtered by owner role, kind and store; retry or
abandon one exception's run or all matching a filter; acknowledge, assign and annotate.

An operator sees and acts on the exceptions their roles own (IT and admins: all); asking for
another role's, by filter or by a forged form, is refused (403)."""

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.operator import LifecycleAction, LifecycleChange, OperatorAction, lifecycle_problem
from domain.outcomes import ExceptionKind, ExceptionOwner
from starter.control.exception_queue import QueueFilter, QueueItem, act_on, list_queue
from starter.control.queue_lifecycle import record_lifecycle
from starter.health_page.auth import CurrentOperator, Operator
from starter.health_page.context import PageContext, page_of, render

router = APIRouter()

TextField = Annotated[str, Form(max_length=2000)]
TokenField = Annotated[str, Form()]


def _selection(operator: Operator, role: str, kind: str, store: str) -> QueueFilter:
    try:
        selection = QueueFilter(
            role=ExceptionOwner(role) if role else None,
            kind=ExceptionKind(kind) if kind else None,
            store_id=store.strip() or None,
        )
    except ValueError as error:
        raise HTTPException(400, f"unknown filter value: {error}") from None
    if selection.role is not None and selection.role not in operator.owners:
        raise HTTPException(403, f"{selection.role.value} exceptions are not yours to see")
    return selection


async def _queue(page: PageContext, operator: Operator, selection: QueueFilter) -> list[QueueItem]:
    return await asyncio.to_thread(
        list_queue, page.engine, page.settings, selection, operator.owners
    )


@router.get("/exceptions", response_class=HTMLResponse)
async def exceptions(
    request: Request, operator: CurrentOperator, role: str = "", kind: str = "", store: str = ""
) -> HTMLResponse:
    page = page_of(request)
    selection = _selection(operator, role, kind, store)
    items = await _queue(page, operator, selection)
    return render(
        request,
        "exceptions.html",
        operator,
        items=items,
        selection=selection,
        roles=sorted(operator.owners),
        kinds=page.visible_kinds(operator),
        operators=page.operators.names(),
    )


@router.post("/exceptions/act", response_class=HTMLResponse)
async def act(
    request: Request,
    operator: CurrentOperator,
    form_token: TokenField,
    action: Annotated[OperatorAction, Form()],
    text: TextField = "",
    exception_id: Annotated[list[int] | None, Form()] = None,
    role: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    store: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Retry or abandon the runs behind the chosen exceptions, or behind all that match."""
    page = page_of(request)
    page.tokens.check(operator, form_token)
    if action is OperatorAction.ABANDON and not text.strip():
        raise HTTPException(400, "abandoning needs a reason")
    if exception_id:
        chosen = QueueFilter(exception_ids=exception_id)
        visible = {item.id: item for item in await _queue(page, operator, chosen)}
        refused = [number for number in exception_id if number not in visible]
        if refused:
            raise HTTPException(403, f"exceptions {refused} are not yours, or not open")
        items = [visible[number] for number in exception_id]
    else:
        items = await _queue(page, operator, _selection(operator, role, kind, store))
    replies = await act_on(
        page.client, items, action, text.strip() or f"from the page by {operator.name}"
    )
    return render(request, "replies.html", operator, action=action, replies=replies)


async def _record(
    request: Request,
    operator: Operator,
    exception_id: int,
    form_token: str,
    change: LifecycleChange,
) -> RedirectResponse:
    """Record an acknowledgement, assignment or note on one of the operator's exceptions."""
    page = page_of(request)
    page.tokens.check(operator, form_token)
    if problem := lifecycle_problem(change, page.operators.names()):
        raise HTTPException(400, problem)
    visible = await _queue(page, operator, QueueFilter(exception_ids=[exception_id]))
    if not visible:
        raise HTTPException(403, f"exception {exception_id} is not yours, or not open")
    await asyncio.to_thread(
        record_lifecycle, page.engine, [exception_id], change, datetime.now(UTC)
    )
    return RedirectResponse("/exceptions", status_code=303)


@router.post("/exceptions/{exception_id}/acknowledge")
async def acknowledge(
    request: Request, operator: CurrentOperator, exception_id: int, form_token: TokenField
) -> RedirectResponse:
    change = LifecycleChange(action=LifecycleAction.ACKNOWLEDGE, operator=operator.name)
    return await _record(request, operator, exception_id, form_token, change)


@router.post("/exceptions/{exception_id}/assign")
async def assign(
    request: Request,
    operator: CurrentOperator,
    exception_id: int,
    form_token: TokenField,
    assignee: Annotated[str, Form(max_length=64)],
) -> RedirectResponse:
    change = LifecycleChange(
        action=LifecycleAction.ASSIGN, operator=operator.name, assignee=assignee
    )
    return await _record(request, operator, exception_id, form_token, change)


@router.post("/exceptions/{exception_id}/note")
async def note(
    request: Request,
    operator: CurrentOperator,
    exception_id: int,
    form_token: TokenField,
    text: TextField,
) -> RedirectResponse:
    change = LifecycleChange(action=LifecycleAction.NOTE, operator=operator.name, text=text)
    return await _record(request, operator, exception_id, form_token, change)
