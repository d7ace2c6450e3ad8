"""Replay a store day (mappings + canonical tickets) and summarise how every ticket ended."""

from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import Engine
from temporalio.client import Client

from domain.outcomes import ExceptionKind, Outcome
from domain.settings import Settings
from starter.intake.loading import load_files, write_rejects
from starter.intake.mappings_csv import read_mappings
from starter.intake.submission import SubmitResult, Submitter, rejected_results, wait_settled
from store.db import create_store_engine, session_scope
from store.exceptions import list_exceptions
from store.mappings import import_mappings


class DaySummary(BaseModel):
    results: list[SubmitResult]
    earlier_runs: dict[str, SubmitResult] = Field(
        default_factory=dict, description="for each duplicate: how its earlier run stands"
    )
    for_review: list[str] = Field(
        default_factory=list, description="records written for people to review (not parked)"
    )
    rejects_file: Path

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)

    def render(self) -> str:
        counts = Counter(result.outcome for result in self.results)
        submitted = len(self.results) - counts[Outcome.REJECTED]
        lines = [
            f"submitted  {submitted}",
            f"posted     {counts[Outcome.POSTED]}",
            f"parked     {counts[Outcome.PARKED]}",
            f"ignored    {counts[Outcome.IGNORED]}  (pending, suspended or voided: no stock)",
            f"duplicates {counts[Outcome.DUPLICATE]}  (counted, not posted again{self._earlier()})",
            f"rejected   {counts[Outcome.REJECTED]}  (invalid payloads, see {self.rejects_file})",
        ]
        for result in [*self.results, *self.earlier_runs.values()]:
            if result.outcome is Outcome.PARKED:
                lines.append(
                    f"  parked {result.workflow_id}: [{result.exception_kind}] {result.message}"
                )
            if result.outcome is Outcome.REJECTED:
                lines.append(
                    f"  rejected {result.transaction_id}: " + "; ".join(result.errors or [])
                )
        if self.for_review:
            lines.append(f"for review {len(self.for_review)}  (recorded; the postings went ahead)")
            lines += [f"  {record}" for record in self.for_review]
        return "\n".join(lines)

    def _earlier(self) -> str:
        if not self.earlier_runs:
            return ""
        counts = Counter(
            result.outcome.value if result.outcome else "running"
            for result in self.earlier_runs.values()
        )
        states = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
        return f"; their earlier runs: {states}; `tillsync dev --fresh` replays from scratch"


async def replay_store_day(client: Client, settings: Settings, folder: Path) -> DaySummary:
    engine = create_store_engine(settings.resolved_store_url)
    mappings_file = folder / "mappings.csv"
    if mappings_file.exists():
        with session_scope(engine) as session:
            import_mappings(session, read_mappings(mappings_file))
    loaded = load_files([folder / "store-day"])
    write_rejects(settings.rejects_file, loaded)
    rejected = rejected_results(loaded)
    submitter = Submitter(client, engine, settings.task_queue)
    transactions = [txn for item in loaded for txn in item.transactions]
    results = await submitter.submit_all(transactions, wait=True)
    earlier_runs = {
        result.workflow_id: await wait_settled(client, result.workflow_id)
        for result in results
        if result.outcome is Outcome.DUPLICATE
    }
    return DaySummary(
        results=results + rejected,
        earlier_runs=earlier_runs,
        for_review=_records_for_review(engine, {result.workflow_id for result in results}),
        rejects_file=settings.rejects_file,
    )


def _records_for_review(engine: Engine, workflow_ids: set[str]) -> list[str]:
    with session_scope(engine) as session:
        return [
            f"[{record.kind}] {record.workflow_id}: {record.message}"
            for record in list_exceptions(session, state=None)
            if record.workflow_id in workflow_ids and ExceptionKind(record.kind).is_review_record
        ]
