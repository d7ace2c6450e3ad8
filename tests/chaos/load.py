"""The day's load: every ticket three times at once (a batch and a single request to the
signed HTTP ingest, and `tillsync submit` on the command line), sending again what was not
accepted, with the malformed payloads mixed in."""

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.chaos.day import Ticket
from tests.chaos.malformed import names_field
from tests.chaos.stack import REPOSITORY, ChaosStack, store_secret
from tests.ingest.signing import signed_headers

RESEND_PAUSE_SECONDS = 1.0
GIVE_UP_SECONDS = 900.0


@dataclass
class LoadFigures:
    accepted: set[str] = field(default_factory=set)
    """workflow ids some path answered 2xx for"""
    answers: Counter[str] = field(default_factory=Counter)
    resends: int = 0
    malformed_sent: int = 0
    malformed_refused_naming_field: int = 0
    problems: list[str] = field(default_factory=list)


class Load:
    def __init__(self, stack: ChaosStack, folder: Path) -> None:
        self._stack = stack
        self._folder = folder
        self._http = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{stack.ingest_port}", timeout=120
        )
        self._chunks = 0
        self.figures = LoadFigures()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def three_times(self, chunk: list[Ticket]) -> None:
        """The chunk through the ingest's batch, its single endpoint and the CLI, at once."""
        await asyncio.gather(
            self._batches(chunk),
            asyncio.gather(*(self._single(ticket) for ticket in chunk)),
            self._cli(chunk),
        )

    async def _batches(self, chunk: list[Ticket]) -> None:
        by_store: dict[str, list[Ticket]] = {}
        for ticket in chunk:
            by_store.setdefault(ticket.store_id, []).append(ticket)
        for store_id, tickets in by_store.items():
            waiting = {ticket.transaction_id: ticket for ticket in tickets}
            deadline = time.monotonic() + GIVE_UP_SECONDS
            while waiting and time.monotonic() < deadline:
                body = json.dumps([t.payload for t in waiting.values()]).encode()
                answer = await self._post("/v1/transactions:batch", body, store_id)
                if answer is not None and answer.status_code < 500 and answer.status_code != 429:
                    for item in answer.json().get("results", []):
                        self.figures.answers[f"batch {item['status']}"] += 1
                        if 200 <= item["status"] < 300:
                            ticket = waiting.pop(item["transaction_id"])
                            self.figures.accepted.add(ticket.workflow_id)
                        elif item["status"] < 500:
                            self._refused_valid(waiting.pop(item["transaction_id"]), item)
                    continue
                self.figures.resends += 1
                await asyncio.sleep(RESEND_PAUSE_SECONDS)

    async def _single(self, ticket: Ticket) -> None:
        body = json.dumps(ticket.payload).encode()
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while time.monotonic() < deadline:
            answer = await self._post("/v1/transactions", body, ticket.store_id)
            if answer is not None:
                self.figures.answers[f"single {answer.status_code}"] += 1
                if 200 <= answer.status_code < 300:
                    self.figures.accepted.add(ticket.workflow_id)
                    return
                if answer.status_code < 500 and answer.status_code != 429:
                    self._refused_valid(ticket, answer.json())
                    return
            self.figures.resends += 1
            await asyncio.sleep(RESEND_PAUSE_SECONDS)
        self.figures.problems.append(f"{ticket.workflow_id}: the ingest never accepted it")

    async def _cli(self, chunk: list[Ticket]) -> None:
        self._chunks += 1
        batch = self._folder / f"cli-{self._chunks:04d}.json"
        batch.write_text(json.dumps([ticket.payload for ticket in chunk]))
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while time.monotonic() < deadline:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *("-m", "starter.cli", "submit", str(batch), "--json"),
                cwd=REPOSITORY,
                env=self._stack.environment(),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, _ = await process.communicate()
            self.figures.answers[f"cli exit {process.returncode}"] += 1
            if process.returncode == 0:
                for line in out.decode().splitlines():
                    if line.startswith("{"):
                        self.figures.accepted.add(json.loads(line)["workflow_id"])
                return
            self.figures.resends += 1
            await asyncio.sleep(RESEND_PAUSE_SECONDS)
        self.figures.problems.append(f"{batch}: the CLI never submitted it")

    async def malformed(self, payloads: Iterable[tuple[dict[str, Any], str]]) -> None:
        for payload, field_name in payloads:
            store_id = str(payload.get("store_id", "S001"))
            answer = None
            while answer is None or answer.status_code >= 500 or answer.status_code == 429:
                answer = await self._post(
                    "/v1/transactions", json.dumps(payload).encode(), store_id
                )
                if answer is None or answer.status_code >= 500:
                    await asyncio.sleep(RESEND_PAUSE_SECONDS)
            self.figures.malformed_sent += 1
            errors = answer.json().get("errors", []) if answer.status_code < 500 else []
            if 400 <= answer.status_code < 500 and names_field(errors, field_name):
                self.figures.malformed_refused_naming_field += 1
            else:
                self.figures.problems.append(
                    f"malformed {payload.get('transaction_id')} ({field_name}):"
                    f" {answer.status_code} {answer.text[:300]}"
                )

    async def _post(self, path: str, body: bytes, store_id: str) -> httpx.Response | None:
        headers = signed_headers(store_id, body, path=path, secret=store_secret(store_id))
        try:
            return await self._http.post(path, content=body, headers=headers)
        except httpx.TransportError:
            return None

    def _refused_valid(self, ticket: Ticket, answer: dict[str, Any]) -> None:
        self.figures.problems.append(f"{ticket.workflow_id}: a valid ticket refused: {answer}")
