"""From an authenticated body to started workflows: convert, check the store, submit each one."""

import asyncio
import logging
from http import HTTPStatus

from temporalio.service import RPCError

from connectors.pos.base import AdapterResult, FieldError
from connectors.pos.errors import PayloadError
from connectors.pos.guards import TooManyRecords
from domain.transaction import PosTransaction
from starter.ingest.models import IngestOutcome, ItemResult
from starter.ingest.payloads import MEDIA_TYPES, format_of_content_type
from starter.ingest.start_errors import start_outcome
from starter.intake.formats import SourceFormat, parse_payload
from starter.intake.ticket_intake import Intake

ROOT_FIELD = "<root>"
log = logging.getLogger(__name__)


RECORDED_REFUSALS = frozenset(
    {
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        HTTPStatus.UNPROCESSABLE_ENTITY,
    }
)
"""Refusals of what a till sent, recorded in the rejects file like the CLI's rejects."""


class Refusal(Exception):
    """A request refused as a whole, answered as a Problem."""

    def __init__(
        self,
        status: HTTPStatus,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        recorded: bool = True,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.recorded = recorded and status in RECORDED_REFUSALS


class Converted:
    """A body read by its adapter, every record with its position in the body."""

    def __init__(self, source_format: SourceFormat, result: AdapterResult) -> None:
        self.source_format = source_format
        self.result = result
        taken = {item.source_index for item in result.rejects} | {
            item.source_index for item in result.skipped
        }
        free = [
            index for index in range(len(result.transactions) + len(taken)) if index not in taken
        ]
        self.transactions = list(zip(free, result.transactions, strict=True))

    @property
    def record_count(self) -> int:
        return len(self.transactions) + len(self.result.rejects) + len(self.result.skipped)

    @property
    def postable_count(self) -> int:
        """Transactions and rejects: the records that should become workflows."""
        return len(self.transactions) + len(self.result.rejects)

    def store_ids(self) -> set[str]:
        ids = {txn.store_id for _, txn in self.transactions}
        return ids | {item.store_id for item in self.result.skipped if item.store_id}


def convert(
    body: bytes, content_type: str | None, *, max_bytes: int, max_records: int
) -> Converted:
    """Read the body with the adapter its Content-Type names (415; 413 with more than
    ``max_records`` records; 400 if unreadable). Blocking: run it in a worker thread."""
    source_format = format_of_content_type(content_type)
    if source_format is None:
        raise Refusal(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"Content-Type {content_type or '(none)'} is not one of: " + ", ".join(MEDIA_TYPES),
        )
    try:
        result = parse_payload(source_format, body, max_bytes=max_bytes, max_records=max_records)
    except TooManyRecords as error:
        raise Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, str(error)) from None
    except PayloadError as error:
        raise Refusal(
            HTTPStatus.BAD_REQUEST,
            f"the body is not a readable {source_format.value} payload",
            errors=[FieldError(field=ROOT_FIELD, reason=str(error))],
        ) from None
    return Converted(source_format, result)


def check_store(store_id: str, converted: Converted) -> None:
    """A store posts its own transactions only (403 otherwise, and nothing starts)."""
    others = sorted(converted.store_ids() - {store_id})
    if others:
        raise Refusal(
            HTTPStatus.FORBIDDEN,
            f"store {store_id} may not post transactions of store " + ", ".join(others),
        )


class Ingest:
    def __init__(self, intake: Intake, *, concurrency: int = 16) -> None:
        self._intake = intake
        self._concurrency = concurrency

    async def submit(self, converted: Converted) -> list[ItemResult]:
        """Start every valid transaction's workflow; one result per record, in body order."""
        limit = asyncio.Semaphore(self._concurrency)
        track = converted.source_format.tracks_receipts

        async def one(index: int, txn: PosTransaction) -> ItemResult:
            async with limit:
                return await self._submit_one(index, txn, track_receipt=track)

        started = await asyncio.gather(*(one(index, txn) for index, txn in converted.transactions))
        if track:
            for skipped in converted.result.skipped:
                try:
                    await self._intake.note_skipped(skipped)
                except Exception:
                    log.exception("could not note the receipt of skipped %s", skipped)
        results = [
            *started,
            *(
                _result(
                    reject.source_index,
                    IngestOutcome.REJECTED,
                    transaction_id=reject.transaction_id,
                    errors=reject.errors,
                )
                for reject in converted.result.rejects
            ),
            *(
                _result(
                    skipped.source_index,
                    IngestOutcome.SKIPPED,
                    transaction_id=skipped.transaction_id,
                    reason=skipped.reason,
                )
                for skipped in converted.result.skipped
            ),
        ]
        return sorted(results, key=lambda result: result.index)

    async def _submit_one(
        self, index: int, txn: PosTransaction, *, track_receipt: bool
    ) -> ItemResult:
        """One record's result, whatever happens to the others of the request."""
        try:
            _, started = await self._intake.submit(txn, track_receipt=track_receipt)
        except RPCError as error:
            return _refused_start(index, txn, error)
        except Exception:
            log.exception("could not submit %s", txn.workflow_id)
            return _result(
                index,
                IngestOutcome.UNAVAILABLE,
                transaction_id=txn.transaction_id,
                reason="the start failed on the server; send it again later",
            )
        return _result(
            index,
            IngestOutcome.STARTED if started else IngestOutcome.DUPLICATE,
            transaction_id=txn.transaction_id,
            workflow_id=txn.workflow_id,
        )


def _refused_start(index: int, txn: PosTransaction, error: RPCError) -> ItemResult:
    """The answer to a start Temporal refused: a reject, a fault of the ingest's setup, or a
    failure worth sending again for (starter/ingest/start_errors.py)."""
    outcome = start_outcome(error.status, error.message)
    if outcome is IngestOutcome.REJECTED:
        return _result(
            index,
            outcome,
            transaction_id=txn.transaction_id,
            errors=[FieldError(field=ROOT_FIELD, reason=f"refused: {error.message}")],
        )
    if outcome is IngestOutcome.FAILED:
        log.error(
            "Temporal refused to start %s (%s: %s): fix the ingest's Temporal setup",
            txn.workflow_id,
            error.status.name,
            error.message,
        )
        return _result(
            index,
            outcome,
            transaction_id=txn.transaction_id,
            reason=f"the ingest cannot start workflows ({error.message}); an operator is told",
        )
    return _result(
        index,
        outcome,
        transaction_id=txn.transaction_id,
        reason=f"Temporal did not accept the start: {error.message}",
    )


def _result(
    index: int,
    outcome: IngestOutcome,
    *,
    transaction_id: str | None,
    workflow_id: str | None = None,
    errors: list[FieldError] | None = None,
    reason: str | None = None,
) -> ItemResult:
    return ItemResult(
        index=index,
        outcome=outcome,
        status=outcome.http_status,
        transaction_id=transaction_id,
        workflow_id=workflow_id,
        errors=errors or [],
        reason=reason,
    )
