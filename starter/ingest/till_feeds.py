"""What a store's tills pull: its master data (a snapshot, or a delta since the watermark
they hold) and its available-to-sell quantities. Signed like every ``/v1`` request; a store
reads its own feeds only (403 for another's)."""

import asyncio
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy import Engine

from activities.master_data import feed
from connectors.pos.base import FieldError
from domain.limits import MAX_CODE_LENGTH
from domain.publication import AvailableDocument
from starter.ingest.handling import Refusal
from starter.ingest.openapi import reading_responses
from store.db import session_scope
from store.till_data import master_data_since, read_available

MAX_ITEMS_ASKED = 200


def _own_store(asked: str, authenticated: str) -> None:
    if asked != authenticated:
        raise Refusal(HTTPStatus.FORBIDDEN, f"store {authenticated} cannot read store {asked}")


def till_feed_router(auth: Any, engine: Engine) -> APIRouter:
    """``auth``: the app's signed-request dependency (an ``Annotated[Authenticated, ...]``)."""
    router = APIRouter(tags=["tills"])
    responses = reading_responses()
    for status in (HTTPStatus.FORBIDDEN, HTTPStatus.UNPROCESSABLE_ENTITY):
        responses[status.value] = responses[HTTPStatus.UNAUTHORIZED.value]

    @router.get(
        "/v1/stores/{store}/masterdata",
        summary="The store's items, prices and promotions: all, or those written after `since`",
        responses=responses,
    )
    async def get_master_data(
        store: str,
        authenticated: auth,
        since: Annotated[
            datetime | None, Query(description="the watermark of the last feed the till took")
        ] = None,
        feed_format: Annotated[Literal["canonical", "sitoo"], Query(alias="format")] = "canonical",
    ) -> dict[str, Any]:
        _own_store(store, authenticated.store_id)

        def read() -> dict[str, Any]:
            with session_scope(engine) as session:
                return feed(master_data_since(session, store, since), feed_format)

        return await asyncio.to_thread(read)

    @router.get(
        "/v1/stores/{store}/available",
        summary="Available-to-sell quantities of the store's items (all, or those named)",
        response_model=AvailableDocument,
        responses=responses,
    )
    async def get_available(
        store: str,
        authenticated: auth,
        item: Annotated[list[str] | None, Query(max_length=MAX_ITEMS_ASKED)] = None,
    ) -> AvailableDocument:
        _own_store(store, authenticated.store_id)
        items = item or []
        if any(len(code) > MAX_CODE_LENGTH for code in items):
            raise Refusal(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                f"an item code is at most {MAX_CODE_LENGTH} characters",
                errors=[FieldError(field="item", reason="too long")],
            )

        def read() -> AvailableDocument:
            with session_scope(engine) as session:
                return AvailableDocument(
                    store_id=store, quantities=read_available(session, store, items)
                )

        return await asyncio.to_thread(read)

    return router
