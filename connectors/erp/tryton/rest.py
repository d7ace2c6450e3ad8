"""Tryton's REST model endpoints and their JSON encoding of Decimal and date."""

import asyncio
import base64
import html
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx

from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.http_client import UntornClient

Record = dict[str, Any]

_QUERY_BUDGET = 3_000
"""Bytes of a search's query string: gunicorn refuses a request line over 4,094 bytes (HTTP
414), as proxies do theirs."""


def _encode(value: object) -> object:
    """Tryton's JSON form of the values JSON lacks (its ``JSONDecoder`` reads them back)."""
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime):  # Tryton's datetimes are naive UTC
        moment = value.astimezone(UTC) if value.tzinfo else value
        return {
            "__class__": "datetime",
            **{
                part: getattr(moment, part)
                for part in ("year", "month", "day", "hour", "minute", "second", "microsecond")
            },
        }
    if isinstance(value, date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    raise TypeError(f"cannot send {type(value).__name__} to Tryton")


def _decode(value: Record) -> object:
    match value.get("__class__"):
        case "Decimal":
            return Decimal(value["decimal"])
        case "date":
            return date(value["year"], value["month"], value["day"])
        case "datetime":
            return datetime(
                value["year"],
                value["month"],
                value["day"],
                value.get("hour", 0),
                value.get("minute", 0),
                value.get("second", 0),
                value.get("microsecond", 0),
                tzinfo=UTC,
            )
        case _:
            return value


def dumps(value: object) -> str:
    """JSON as Tryton reads it (Decimal and date included)."""
    return json.dumps(value, default=_encode)


def loads(content: bytes) -> Any:
    """Tryton's JSON, with its Decimal and date values decoded."""
    return json.loads(content, object_hook=_decode)


def encode_base64(value: object) -> str:
    return base64.urlsafe_b64encode(dumps(value).encode()).decode()


# Tryton answers 503 when a transaction meets a lock held by another (PostgreSQL's "could not
# obtain lock on row", "could not serialize access") and its own few retries, within a third
# of a second, did not get past it; the transaction was rolled back. Posting an invoice holds
# the company's strict invoice sequence until it commits (a second or more), so concurrent
# posts meet there. Sent again a little later (jittered, about 10 s in all; not sooner: every
# attempt costs Tryton the work up to the lock again) it goes through, well before the
# activity's backoff, which grows to minutes, would retry it.
_BUSY_DELAYS = (0.5, 0.5, 1.0, 1.0, 1.5, 1.5, 2.0, 2.0)
busy_log = logging.getLogger(f"{__name__}.busy")
"""One record for each 503 sent again (tests and benchmarks count them)."""


async def send_until_not_busy(
    send: Callable[[], Awaitable[httpx.Response]], what: str
) -> httpx.Response:
    """``send()`` (``what``, for the log) again while Tryton answers 503 (see _BUSY_DELAYS);
    the last response."""
    response = await send()
    for delay in _BUSY_DELAYS:
        if response.status_code != 503:
            break
        pause = delay * random.uniform(0.5, 1.5)
        busy_log.info(
            "Tryton is busy with %s (%s): sending again in %.2f s",
            what,
            error_message(response),
            pause,
        )
        await asyncio.sleep(pause)
        response = await send()
    return response


def error_message(response: httpx.Response) -> str:
    """Tryton's message: its JSON error, or the description on a plain HTTP error page."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("message"):
        return " ".join(filter(None, [body["message"], body.get("description")]))
    status = f"HTTP {response.status_code} {response.reason_phrase}"
    page = re.search(r"<p>(.*?)</p>", response.text, re.DOTALL)
    return f"{status}: {html.unescape(page[1]).strip()}" if page else status


class TrytonRest:
    """Tryton's REST model endpoints: search, read, create, write and button calls."""

    def __init__(
        self, base_url: str, database: str, api_key: str, company_id: int, *, timeout: float = 30.0
    ) -> None:
        self._client = UntornClient(
            base_url=f"{base_url.rstrip('/')}/{database}/rest/model/",
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout,
        )
        self._company_id = company_id
        self.requests_sent = 0
        """How many HTTP requests this client has sent (for benchmarks and diagnostics)."""

    async def search(
        self,
        model: str,
        domain: list[Any],
        fields: list[str],
        context: Record | None = None,
        *,
        order: list[tuple[str, str]] | None = None,
        limit: int | None = None,
    ) -> list[Record]:
        """Records matching ``domain``. A domain too long for a URL (a long ``in`` list) is
        searched in parts, each a part of the list, unless results are ordered or limited."""
        params = [("d", encode_base64(domain)), *(("f", field) for field in fields)]
        if order is None and limit is None and len(urlencode(params)) > _QUERY_BUDGET:
            halves = _halve_longest_list(domain)
            if halves is not None:
                return [
                    record
                    for half in halves
                    for record in await self.search(model, half, fields, context)
                ]
        if order:
            params.append(("o", encode_base64([list(item) for item in order])))
        if limit is not None:
            params.append(("s", str(limit)))
        records: list[Record] = await self._send("GET", model, params, context=context)
        return records

    async def read(
        self, model: str, record_id: int | str, fields: list[str], context: Record | None = None
    ) -> Record:
        """One record; ``record_id`` may be the string form tillsync keeps ERP ids in."""
        params = [("f", field) for field in fields]
        record: Record = await self._send("GET", f"{model}/{record_id}", params, context=context)
        return record

    async def create(self, model: str, values: Record) -> int:
        record: Record = await self._send("POST", model, [("f", "id")], body=values)
        record_id: int = record["id"]
        return record_id

    async def write(self, model: str, record_id: int, values: Record) -> None:
        await self._send("PUT", f"{model}/{record_id}", [("f", "id")], body=values)

    async def click(
        self, model: str, record_id: int, button: str, fields: Sequence[str] = ("state",)
    ) -> Record:
        """Run a button; the record's ``fields`` as the button left them (before queued tasks)."""
        params = [("f", field) for field in fields]
        record: Record = await self._send("POST", f"{model}/{record_id}/{button}", params, body={})
        return record

    async def advance(self, model: str, record_id: int, button: str, from_state: str) -> str:
        """Run a state transition once however many calls ask for it at once: when Tryton
        refuses it because another call moved the record on meanwhile, the state it moved to."""
        try:
            return str((await self.click(model, record_id, button))["state"])
        except ErpRejected:
            state = str((await self.read(model, record_id, ["state"]))["state"])
            if state == from_state:
                raise
            return state

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]],
        *,
        body: Record | None = None,
        context: Record | None = None,
    ) -> Any:
        headers = {
            "X-Tryton-Context": encode_base64(
                {"company": self._company_id, "_skip_warnings": True, **(context or {})}
            )
        }
        if body is not None:
            headers["Content-Type"] = "application/json"

        def send() -> Awaitable[httpx.Response]:
            self.requests_sent += 1
            return self._client.request(
                method,
                path,
                params=tuple(params),
                headers=headers,
                content=None if body is None else dumps(body),
            )

        try:
            response = await send_until_not_busy(send, f"{method} {path}")
        except httpx.TransportError as error:
            raise ErpUnavailable(f"Tryton did not answer {method} {path}: {error!r}") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise ErpUnavailable(f"Tryton failed {method} {path}: {error_message(response)}")
        if response.status_code >= 400:
            raise ErpRejected(f"Tryton refused {method} {path}: {error_message(response)}")
        return loads(response.content) if response.content else None


def _halve_longest_list(domain: list[Any]) -> tuple[list[Any], list[Any]] | None:
    """``domain`` twice, the longest list one of its ``in`` clauses matches split between the
    two; None when there is none to split (or the clauses are OR-ed)."""
    if domain and domain[0] == "OR":
        return None
    lists = [
        index
        for index, clause in enumerate(domain)
        if isinstance(clause, (list, tuple))
        and len(clause) >= 3
        and clause[1] == "in"
        and isinstance(clause[2], list)
        and len(clause[2]) > 1
    ]
    if not lists:
        return None
    index = max(lists, key=lambda at: len(domain[at][2]))
    field, operator, values, *rest = domain[index]
    middle = len(values) // 2
    return (
        [*domain[:index], (field, operator, values[:middle], *rest), *domain[index + 1 :]],
        [*domain[:index], (field, operator, values[middle:], *rest), *domain[index + 1 :]],
    )
