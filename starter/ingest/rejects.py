"""Rejects answered over HTTP, appended to the rejects file like the CLI's (redacted: a Reject
keeps no card number), off the event loop and one request at a time."""

import asyncio
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from connectors.pos.base import RAW_EXCERPT_CHARS, ROOT_FIELD, FieldError, Reject, raw_excerpt
from starter.ingest.models import IngestOutcome, ItemResult
from starter.intake.loading import append_rejects

log = logging.getLogger(__name__)


class RejectLog:
    def __init__(self, rejects_file: Path) -> None:
        self._file = rejects_file
        self._lock = threading.Lock()

    async def record(self, source: str, rejects: Sequence[Reject]) -> None:
        if rejects:
            await asyncio.to_thread(self._append, source, rejects)

    async def record_refusal(
        self, source: str, detail: str, errors: list[FieldError], body: bytes
    ) -> None:
        """A request refused as a whole (400, 403, 413, 422): one reject for the body."""
        excerpt = body[: RAW_EXCERPT_CHARS * 4].decode("utf-8", "replace")
        reject = Reject(
            source_index=0,
            transaction_id=None,
            errors=errors or [FieldError(field=ROOT_FIELD, reason=detail)],
            raw=raw_excerpt(excerpt),
        )
        await self.record(source, [reject])

    def _append(self, source: str, rejects: Sequence[Reject]) -> None:
        try:
            with self._lock:
                append_rejects(self._file, source, rejects)
        except OSError:
            log.exception("could not record %d rejects of %s", len(rejects), source)


def rejects_answered(
    adapter_rejects: Sequence[Reject], results: Sequence[ItemResult]
) -> list[Reject]:
    """The adapter's rejects, and the records refused later (Temporal refusing a start)."""
    by_index = {reject.source_index: reject for reject in adapter_rejects}
    return [
        by_index.get(result.index)
        or Reject(
            source_index=result.index,
            transaction_id=result.transaction_id,
            errors=result.errors or [FieldError(field=ROOT_FIELD, reason="refused")],
            raw="",
        )
        for result in results
        if result.outcome is IngestOutcome.REJECTED
    ]
