"""Master data activities: read the ERP's changes into a store's publication (and the mappings
its items imply), push what the store's webhook has not taken yet, and make a publication that
failed every retry visible as an exception (owner IT) until one succeeds."""

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio import activity

from activities.heartbeat import heartbeating
from connectors.erp.base import ErpConnector
from connectors.pos.sitoo_articles import sitoo_master_data
from connectors.tills.webhook import TillWebhooks
from domain.mapping import item_mapping_rows
from domain.master_data import StoreTerms, store_articles, store_promotions
from domain.outcomes import ExceptionKind
from domain.publication import MasterDataDocument
from store.db import session_scope
from store.exceptions import open_exception, resolve_exceptions
from store.till_data import (
    master_data_since,
    publication,
    save_item_mappings,
    save_publication,
    save_store_records,
)


class MasterDataRead(BaseModel):
    store_id: str
    full: bool = False


class MasterDataReadResult(BaseModel):
    items_read: int
    promotions_read: int
    records_changed: int
    mappings_changed: int
    watermark: datetime | None


class MasterDataPushResult(BaseModel):
    articles: int
    promotions: int
    watermark: datetime | None
    pushed: bool


class PublishFailure(BaseModel):
    store_id: str
    message: str


def failure_key(store_id: str) -> str:
    """One open exception per store for its master data publication."""
    return f"masterdata-{store_id}"


def feed(document: MasterDataDocument, feed_format: str) -> dict[str, Any]:
    if feed_format == "sitoo":
        return sitoo_master_data(document)
    return document.model_dump(mode="json")


class MasterDataActivities:
    def __init__(self, engine: Engine, connector: ErpConnector, webhooks: TillWebhooks) -> None:
        self._engine = engine
        self._erp = connector
        self._webhooks = webhooks

    def terms(self, store_id: str) -> StoreTerms:
        channel = self._webhooks.channel(store_id)
        return StoreTerms(
            store_id=store_id,
            currency=channel.currency,
            price_list=channel.price_list,
            prices_include_tax=channel.prices_include_tax,
        )

    @activity.defn(name="masterdata.read")
    async def read(self, request: MasterDataRead) -> MasterDataReadResult:
        with session_scope(self._engine) as session:
            since = None if request.full else publication(session, request.store_id).read_watermark
        async with heartbeating():
            data = await self._erp.master_data(since)
        terms = self.terms(request.store_id)
        with session_scope(self._engine) as session:
            mappings = save_item_mappings(
                session,
                (
                    row
                    for item in data.items
                    for row in item_mapping_rows(item.code, item.barcodes, item.pack_factor)
                ),
            )
            changed = save_store_records(
                session,
                request.store_id,
                store_articles(data, terms),
                store_promotions(data, terms),
                data.removed,
            )
            state = publication(session, request.store_id)
            state.read_watermark = data.watermark
            save_publication(session, state)
        return MasterDataReadResult(
            items_read=len(data.items),
            promotions_read=len(data.promotions),
            records_changed=changed,
            mappings_changed=mappings,
            watermark=data.watermark,
        )

    @activity.defn(name="masterdata.push")
    async def push(self, store_id: str) -> MasterDataPushResult:
        """Send the records the webhook has not taken (a delta since the last push it took;
        everything the first time). A failure raises and Temporal retries with backoff."""
        with session_scope(self._engine) as session:
            state = publication(session, store_id)
            document = master_data_since(session, store_id, state.pushed_watermark)
        pushed = not document.empty and self._webhooks.has_webhook(store_id)
        if pushed:
            channel = self._webhooks.channel(store_id)
            await self._webhooks.send(store_id, "masterdata", feed(document, channel.feed_format))
        if pushed or document.empty:
            # Without a webhook the watermark stays: one added later gets everything first.
            with session_scope(self._engine) as session:
                state = publication(session, store_id)
                state.pushed_watermark = document.watermark
                state.pushed_at = datetime.now(UTC)
                save_publication(session, state)
        return MasterDataPushResult(
            articles=len(document.articles),
            promotions=len(document.promotions),
            watermark=document.watermark,
            pushed=pushed,
        )

    @activity.defn(name="masterdata.record_failure")
    async def record_failure(self, failure: PublishFailure) -> None:
        with session_scope(self._engine) as session:
            open_exception(
                session,
                kind=ExceptionKind.TILL_PUBLISH_FAILED,
                store_id=failure.store_id,
                message=f"master data did not reach store {failure.store_id}: {failure.message}",
                now=datetime.now(UTC),
                workflow_id=failure_key(failure.store_id),
            )

    @activity.defn(name="masterdata.resolve_failure")
    async def resolve_failure(self, store_id: str) -> int:
        with session_scope(self._engine) as session:
            return resolve_exceptions(
                session,
                failure_key(store_id),
                [ExceptionKind.TILL_PUBLISH_FAILED],
                "published",
                datetime.now(UTC),
            )

    def definitions(self) -> list[Any]:
        return [self.read, self.push, self.record_failure, self.resolve_failure]
