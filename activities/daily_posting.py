"""Daily consolidated posting activities: find what waits, make a batch, book it, record it."""

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.errors import business_failure, unknown_codes_failure
from activities.heartbeat import heartbeating
from connectors.erp.base import ErpBooks, ErpConnector
from connectors.erp.errors import ErpRejected, ErpUnknownCodes
from domain.consolidation import ConsolidatedRefs, ConsolidationBatch, PendingDay
from domain.outcomes import BusinessFailure, ExceptionKind, ExceptionReport
from domain.periods import PostingDate, redating_notice
from store.consolidations import (
    batch_of_key,
    pending_store_days,
    prepare_batch,
    record_posted,
)
from store.db import session_scope
from store.exceptions import record_failure
from store.periods import ranges_being_closed


class PendingRequest(BaseModel):
    through: date
    since: date | None = None
    store_id: str | None = None
    leave_closing_periods: bool = True
    """Days of a period being closed are the close's to book (it books them itself)."""


class BatchPostRequest(BaseModel):
    batch: ConsolidationBatch
    posting_date: date


class BatchPosted(BaseModel):
    batch: ConsolidationBatch
    refs: ConsolidatedRefs
    posting: PostingDate


class BatchRefused(BaseModel):
    batch: ConsolidationBatch
    failure: BusinessFailure


def _now() -> datetime:
    return datetime.now(UTC)


class DailyPostingActivities:
    def __init__(
        self,
        engine: Engine,
        books: ErpBooks,
        company_id: int,
        connector: ErpConnector,
        issue_chunk: int,
    ) -> None:
        """``connector`` issues the reserved stock of a batch's sales, ``issue_chunk`` tickets
        an ERP call."""
        self._engine = engine
        self._books = books
        self._company_id = company_id
        self._connector = connector
        self._issue_chunk = issue_chunk

    def definitions(self) -> list[Callable[..., Any]]:
        return [
            self.pending_days,
            self.prepare_batch,
            self.post_batch,
            self.record_posted,
            self.record_refusal,
        ]

    @activity.defn(name="daily.pending_days")
    def pending_days(self, request: PendingRequest) -> list[PendingDay]:
        with session_scope(self._engine) as session:
            pairs = pending_store_days(
                session,
                through=request.through,
                since=request.since,
                store_id=request.store_id,
                leave_out=ranges_being_closed(session, self._company_id)
                if request.leave_closing_periods
                else (),
            )
        return [PendingDay(store_id=store, business_date=day) for store, day in pairs]

    @activity.defn(name="daily.prepare_batch")
    def prepare_batch(self, day: PendingDay) -> ConsolidationBatch | None:
        with session_scope(self._engine) as session:
            return prepare_batch(session, day.store_id, day.business_date, _now())

    @activity.defn(name="daily.post_batch")
    async def post_batch(self, request: BatchPostRequest) -> ConsolidatedRefs:
        batch = request.batch
        if batch.references_incomplete:
            batch = await asyncio.to_thread(self._stored_batch, batch.key)
        try:
            async with heartbeating():
                await self._issue_reserved(batch)
                return await self._books.post_consolidated(batch, request.posting_date)
        except ErpUnknownCodes as error:
            raise unknown_codes_failure(error) from error
        except ErpRejected as error:
            raise business_failure(
                ExceptionKind.ERP_REJECTED, f"the ERP refused {request.batch.key}: {error}"
            ) from error

    def _stored_batch(self, key: str) -> ConsolidationBatch:
        with session_scope(self._engine) as session:
            return batch_of_key(session, key)

    async def _issue_reserved(self, batch: ConsolidationBatch) -> None:
        """The batch's sales booked as reservations leave stock now, before their cost of
        goods is read (issued ones are left as they are, so a retry resumes)."""
        refused: list[str] = []
        references = batch.stock_references
        for start in range(0, len(references), self._issue_chunk):
            chunk = references[start : start + self._issue_chunk]
            for reference, outcome in zip(
                chunk, await self._connector.issue_reserved(chunk), strict=True
            ):
                if isinstance(outcome, ErpRejected):
                    refused.append(f"{reference}: {outcome}")
                elif isinstance(outcome, Exception):
                    raise outcome  # unknown codes: their own failure; the rest: retried
        if refused:
            raise ErpRejected(
                f"{len(refused)} of its sales' reserved stock could not be issued: "
                + "; ".join(refused[:5])
                + ("; ..." if len(refused) > 5 else "")
            )

    @activity.defn(name="daily.record_posted")
    def record_posted(self, posted: BatchPosted) -> None:
        """Keep where the batch landed; a re-dated batch leaves a note for finance."""
        with session_scope(self._engine) as session:
            record_posted(session, posted.refs, _now())
            if posted.posting.redated:
                self._open(session, posted.batch, redating_notice(posted.posting))

    @activity.defn(name="daily.record_refusal")
    def record_refusal(self, refused: BatchRefused) -> None:
        """The ERP refused the batch: it stays pending; the next run tries it again."""
        with session_scope(self._engine) as session:
            self._open(session, refused.batch, refused.failure)

    @staticmethod
    def _open(session: Session, batch: ConsolidationBatch, failure: ExceptionReport) -> None:
        record_failure(
            session,
            failure,
            store_id=batch.store_id,
            business_date=batch.business_date,
            workflow_id=batch.key,
            now=_now(),
        )
