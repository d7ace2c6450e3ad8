"""The ingest app on a stand-in intake: what reaches a start is noted, nothing runs; for the
edges that are decided before Temporal (refusals, rejects, per-item answers, the server).
``StubTemporal`` answers the reads (a run's status, health) without a Temporal server."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from connectors.pos.base import Skipped
from domain.ids import transaction_workflow_id
from domain.outcomes import SyncStage, SyncStatus
from domain.settings import Settings
from domain.stock_events import AnyStockEvent
from domain.transaction import PosTransaction
from starter.ingest.app import create_app
from starter.ingest.auth import StoreSecrets
from starter.intake.stock_submission import StockSubmitter
from starter.intake.submission import SubmitResult
from starter.intake.ticket_intake import Intake
from tests.ingest.signing import SECRETS
from workflows import search_attributes as attrs


class StubIntake(Intake):
    """Starts nothing: notes each transaction, or raises what ``failures`` says for it."""

    def __init__(self, failures: dict[str, Exception] | None = None) -> None:
        self.submitted: list[str] = []
        self.failures = failures or {}

    async def submit(
        self, txn: PosTransaction, *, track_receipt: bool
    ) -> tuple[SubmitResult, bool]:
        if txn.transaction_id in self.failures:
            raise self.failures[txn.transaction_id]
        self.submitted.append(txn.transaction_id)
        return SubmitResult(transaction_id=txn.transaction_id, workflow_id=txn.workflow_id), True

    async def note_skipped(self, skipped: Skipped) -> None:
        return None


class _StubHandle:
    def __init__(self, workflow_id: str, store_id: str | None) -> None:
        self._workflow_id = workflow_id
        self._store_id = store_id

    async def describe(self) -> Any:
        if self._store_id is None:
            raise RPCError(f"workflow {self._workflow_id} not found", RPCStatusCode.NOT_FOUND, b"")
        found = TypedSearchAttributes([SearchAttributePair(attrs.STORE_ID, self._store_id)])
        return SimpleNamespace(workflow_type="PosTransaction", typed_search_attributes=found)

    async def query(self, _query: Any) -> SyncStatus:
        return SyncStatus(
            workflow_id=self._workflow_id, transaction_id="TX-1", stage=SyncStage.POSTING
        )


class StubTemporal:
    """What the ingest reads of Temporal: ``runs`` (workflow id -> store) exist, nothing else;
    its health is ``healthy``."""

    namespace = "stub"

    def __init__(self, runs: dict[str, str] | None = None, *, healthy: bool = True) -> None:
        self.runs = runs or {transaction_workflow_id("S001", "T1", "TX-1"): "S001"}
        self.healthy = healthy
        self.service_client = SimpleNamespace(check_health=self._check_health)

    async def _check_health(self, **_options: Any) -> bool:
        return self.healthy

    def get_workflow_handle_for(self, _run: Any, workflow_id: str) -> _StubHandle:
        return _StubHandle(workflow_id, self.runs.get(workflow_id))


def stub_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        store_secrets=SecretStr(json.dumps(SECRETS)),
        **overrides,
    )


class StubStockSubmitter(StockSubmitter):
    """Starts nothing: each event is new, but those whose event id is in ``failures``, which
    raise (Temporal unavailable, say)."""

    def __init__(self, failures: dict[str, Exception] | None = None) -> None:
        self.failures = failures or {}
        self.submitted: list[AnyStockEvent] = []

    async def submit(self, event: AnyStockEvent) -> tuple[SubmitResult, bool]:
        if event.event_id in self.failures:
            raise self.failures[event.event_id]
        self.submitted.append(event)
        return SubmitResult(transaction_id=event.event_id, workflow_id=event.workflow_id), True


def stub_app(
    settings: Settings,
    intake: StubIntake,
    temporal: StubTemporal | None = None,
    secrets: StoreSecrets | None = None,
    stock_submitter: StockSubmitter | None = None,
) -> FastAPI:
    secrets = secrets or StoreSecrets.from_settings(settings)
    return create_app(
        settings, cast(Client, temporal), intake, secrets, stock_submitter=stock_submitter
    )


@asynccontextmanager
async def stub_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as client:
        yield client


def recorded_rejects(settings: Settings) -> list[dict[str, Any]]:
    if not settings.rejects_file.exists():
        return []
    rows: list[dict[str, Any]] = [
        json.loads(line) for line in settings.rejects_file.read_text().splitlines()
    ]
    return rows
