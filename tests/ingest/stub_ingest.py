"""The ingest app on a stand-in intake: what reaches a start is noted, nothing runs; for the
edges that are decided before Temporal (refusals, rejects, per-item answers, the server)."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import httpx
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.client import Client

from connectors.pos.base import Skipped
from domain.settings import Settings
from domain.transaction import PosTransaction
from starter.ingest.app import create_app
from starter.ingest.auth import StoreSecrets
from starter.intake import Intake
from starter.submission import SubmitResult
from tests.ingest.signing import SECRETS


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


def stub_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        store_secrets=SecretStr(json.dumps(SECRETS)),
        **overrides,
    )


def stub_app(settings: Settings, intake: StubIntake) -> FastAPI:
    secrets = StoreSecrets.from_settings(settings)
    return create_app(settings, cast(Client, None), intake, secrets)


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
