"""``tillsync replay``: submit an offline till's backlog in till order, each transaction once.

Files are read with their format's adapter (POSLog for .xml, canonical JSON otherwise, or the
``--format`` given); transactions keep the till's timestamps and business dates. They are
submitted in till order (business date, till clock, receipt number) with at most
``concurrency`` starts in flight; rejects go to the rejects file, skipped records (sign-ons)
only note their receipt numbers. A checkpoint per file makes a re-run skip what an earlier,
interrupted run already handed over; anything else submitted twice is a counted duplicate.
"""

import asyncio
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel
from temporalio.service import RPCError

from connectors.pos.base import RAW_EXCERPT_CHARS, AdapterResult, FieldError, Reject, raw_excerpt
from connectors.pos.errors import PayloadError
from connectors.pos.poslog import DEFAULT_MAX_BYTES
from domain.transaction import PosTransaction
from starter.intake.formats import SourceFormat, format_of_path, parse_payload
from starter.intake.loading import LoadedFile, write_rejects
from starter.intake.replay_checkpoint import Checkpoint
from starter.intake.ticket_intake import Intake

SUFFIXES = (".json", ".jsonl", ".xml")


class ReplayCounts(BaseModel):
    total: int = 0
    started: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped: int = 0
    resumed: int = 0
    """handed over by an earlier run of the same files, not submitted again"""

    @property
    def handled(self) -> int:
        return self.started + self.duplicates + self.rejected + self.skipped + self.resumed


class ReplaySummary(BaseModel):
    files: int
    counts: ReplayCounts
    rejects_file: Path

    def render(self) -> str:
        counts = self.counts
        lines = [
            f"files      {self.files}",
            f"started    {counts.started}",
            f"duplicates {counts.duplicates}  (already submitted: counted, not started again)",
            f"rejected   {counts.rejected}  (invalid, see {self.rejects_file})",
            f"skipped    {counts.skipped}  (nothing to post: sign-ons, training tickets)",
        ]
        if counts.resumed:
            lines.append(f"resumed    {counts.resumed}  (handed over by an earlier run)")
        return "\n".join(lines)


class ReplayInterrupted(Exception):
    """Temporal stopped accepting starts; a re-run resumes where this one stopped."""


ProgressCallback = Callable[[ReplayCounts], None]


@dataclass
class _Source:
    path: Path
    source_format: SourceFormat
    result: AdapterResult
    checkpoint: Checkpoint


async def replay(
    intake: Intake,
    paths: Iterable[Path],
    *,
    source_format: SourceFormat | None,
    data_dir: Path,
    rejects_file: Path,
    concurrency: int = 16,
    progress: ProgressCallback | None = None,
) -> ReplaySummary:
    files = expand(paths)
    sources = [_read(path, source_format or format_of_path(path), data_dir) for path in files]
    counts = ReplayCounts(
        total=sum(
            len(s.result.transactions) + len(s.result.rejects) + len(s.result.skipped)
            for s in sources
        )
    )

    def show() -> None:
        if progress:
            progress(counts)

    def advance(checkpoint: Checkpoint, key: str, field: str) -> None:
        checkpoint.mark(key)
        setattr(counts, field, getattr(counts, field) + 1)
        show()

    show()
    with ExitStack() as checkpoints:
        for source in sources:
            checkpoints.enter_context(source.checkpoint)
        for source in sources:
            await _hand_over_the_rest(intake, source, rejects_file, counts, advance)
        await _submit_in_till_order(intake, sources, concurrency, counts, advance)
    show()
    return ReplaySummary(files=len(files), counts=counts, rejects_file=rejects_file)


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders become their .json, .jsonl and .xml files, in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(child for child in path.rglob("*") if child.suffix in SUFFIXES)
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


def till_order(txn: PosTransaction) -> tuple[date, datetime, int]:
    """Business date, then the till's clock (compared in UTC when it has a zone), then receipt."""
    clock = txn.occurred_at
    if clock.tzinfo is not None:
        clock = clock.astimezone(UTC).replace(tzinfo=None)
    return txn.business_date, clock, txn.receipt_number


def _read(path: Path, source_format: SourceFormat, data_dir: Path) -> _Source:
    content = path.read_bytes()
    try:
        result = parse_payload(source_format, content, max_bytes=DEFAULT_MAX_BYTES)
    except PayloadError as error:
        unreadable = Reject(
            source_index=0,
            transaction_id=None,
            errors=[
                FieldError(field="<root>", reason=f"not a {source_format.value} file: {error}")
            ],
            raw=raw_excerpt(content[: RAW_EXCERPT_CHARS * 4].decode(errors="replace")),
        )
        result = AdapterResult(rejects=[unreadable])
    return _Source(path, source_format, result, Checkpoint(data_dir / "replay", content))


async def _hand_over_the_rest(
    intake: Intake,
    source: _Source,
    rejects_file: Path,
    counts: ReplayCounts,
    advance: Callable[[Checkpoint, str, str], None],
) -> None:
    """Rejects into the rejects file, and the receipt numbers skipped records used up."""
    done = source.checkpoint.done
    rejects = [r for r in source.result.rejects if f"reject:{r.source_index}" not in done]
    write_rejects(rejects_file, [LoadedFile(path=source.path, transactions=[], rejects=rejects)])
    for reject in rejects:
        advance(source.checkpoint, f"reject:{reject.source_index}", "rejected")
    for skipped in source.result.skipped:
        key = f"skip:{skipped.source_index}"
        if key in done:
            counts.resumed += 1
            continue
        if source.source_format.tracks_receipts:
            await intake.note_skipped(skipped)
        advance(source.checkpoint, key, "skipped")
    counts.resumed += len(source.result.rejects) - len(rejects)


async def _submit_in_till_order(
    intake: Intake,
    sources: list[_Source],
    concurrency: int,
    counts: ReplayCounts,
    advance: Callable[[Checkpoint, str, str], None],
) -> None:
    pending = sorted(
        (
            (txn, source)
            for source in sources
            for txn in source.result.transactions
            if txn.workflow_id not in source.checkpoint.done
        ),
        key=lambda item: till_order(item[0]),
    )
    counts.resumed += sum(len(source.result.transactions) for source in sources) - len(pending)
    limit = asyncio.Semaphore(concurrency)

    async def one(txn: PosTransaction, source: _Source) -> None:
        try:
            _, started = await intake.submit(
                txn, track_receipt=source.source_format.tracks_receipts
            )
        finally:
            limit.release()
        advance(source.checkpoint, txn.workflow_id, "started" if started else "duplicates")

    try:
        async with asyncio.TaskGroup() as group:
            for txn, source in pending:
                await limit.acquire()
                group.create_task(one(txn, source))
    except* RPCError as errors:
        raise ReplayInterrupted(
            f"Temporal stopped accepting starts ({errors.exceptions[0]}); run the replay"
            " again to resume"
        ) from None
