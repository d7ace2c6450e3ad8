"""Tryton's JSON-RPC endpoint (``/<database>/rpc/``), for what its REST API does not expose.

REST reaches models and their buttons with the user application key, one record a request;
wizards (reconciling and unreconciling lines, cancelling moves) and calls on many records at
once are only reachable over JSON-RPC, which needs a
session: the client logs in with the user's password (``common.db.login``) on first use and
logs in again when the session has expired.

JSON-RPC drops private context keys such as ``_skip_warnings`` (which the REST client sends on
every call), so a warning comes back as an error. The client then does what the Tryton client
does when the user answers "yes": it records the warning as accepted (``res.user.warning``)
and runs the call again.
"""

import asyncio
import base64
from collections.abc import Awaitable
from typing import Any

import httpx

from connectors.erp.errors import ErpRejected, ErpUnavailable
from connectors.erp.tryton.rest import (
    Record,
    dumps,
    error_message,
    loads,
    send_until_not_busy,
)
from connectors.http_client import UntornClient

_BUSINESS_ERRORS = {"UserError", "AccessError"}
_MAX_WARNINGS_PER_CALL = 5


class TrytonRpc:
    """Runs Tryton wizards as the configured user (a session opened on first use)."""

    def __init__(
        self, base_url: str, database: str, login: str, password: str, *, timeout: float = 30.0
    ) -> None:
        self._client = UntornClient(
            base_url=f"{base_url.rstrip('/')}/{database}/rpc/", timeout=timeout
        )
        self._login = login
        self._password = password
        self._user_id: int | None = None
        self._authorization: str | None = None
        self._context: Record = {}
        self._logging_in = asyncio.Lock()
        self.requests_sent = 0
        """How many HTTP requests this client has sent (for benchmarks and diagnostics)."""

    async def run_wizard(
        self,
        wizard: str,
        model: str,
        record_ids: list[int],
        *,
        state: str | None = None,
        data: Record | None = None,
    ) -> None:
        """Run ``wizard`` on ``record_ids`` of ``model`` from ``state`` (default: its start)
        to its end. ``data`` holds the values of its views by state name, as a user would
        have filled them."""
        await self._ensure_session()
        context = {
            **self._context,
            "active_model": model,
            "active_id": record_ids[0],
            "active_ids": record_ids,
        }
        wizard_id, start_state, _ = await self._call(f"wizard.{wizard}.create", [context])
        try:
            await self._call(
                f"wizard.{wizard}.execute", [wizard_id, data or {}, state or start_state, context]
            )
        finally:
            await self._call(f"wizard.{wizard}.delete", [wizard_id, context])

    async def call(self, model: str, method: str, *args: Any) -> Any:
        """``model``'s RPC method (create, read, search_read, a button) on whole lists of
        records at once, which REST (one record a request) cannot."""
        await self._ensure_session()
        return await self._call(f"model.{model}.{method}", [*args, self._context])

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _ensure_session(self) -> None:
        async with self._logging_in:
            if self._authorization is not None:
                return
            user_id, session, *_ = await self._post(
                "common.db.login", [self._login, {"password": self._password}, "en"], None
            )
            token = base64.b64encode(f"{self._login}:{user_id}:{session}".encode()).decode()
            authorization = f"Session {token}"
            # The session counts as open only with its context: without the user's company
            # in it, Tryton refuses every record that needs one (a stock move, a shipment).
            self._context = await self._post(
                "model.res.user.get_preferences", [True, {}], authorization
            )
            self._user_id, self._authorization = user_id, authorization

    async def _call(self, method: str, params: list[Any]) -> Any:
        """``method`` in the session: logged in again once if it expired, its warnings
        accepted (at most a few, so that a warning raised again cannot loop)."""
        for _ in range(_MAX_WARNINGS_PER_CALL):
            await self._ensure_session()
            try:
                return await self._post(method, params, self._authorization)
            except _SessionExpired:
                self._authorization = None
            except _Warning as warning:
                await self._post(
                    "model.res.user.warning.create",
                    [[{"user": self._user_id, "name": warning.name, "always": False}], {}],
                    self._authorization,
                )
        raise ErpRejected(f"Tryton kept refusing {method} with warnings or expired sessions")

    async def _post(self, method: str, params: list[Any], authorization: str | None) -> Any:
        headers = {"Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        content = dumps({"id": 0, "method": method, "params": params})

        def send() -> Awaitable[httpx.Response]:
            self.requests_sent += 1
            return self._client.post("", content=content, headers=headers)

        try:
            response = await send_until_not_busy(send, method)
        except httpx.TransportError as error:
            raise ErpUnavailable(f"Tryton did not answer {method}: {error!r}") from error
        if response.status_code in (401, 403):
            if method == "common.db.login":
                raise ErpRejected(f"Tryton refused the login of user {self._login!r}")
            raise _SessionExpired
        if response.status_code >= 400:
            raise ErpUnavailable(f"Tryton failed {method}: {error_message(response)}")
        body = loads(response.content)
        failure = body.get("error")
        if failure is None:
            return body["result"]
        kind = failure[0]
        detail = failure[1] if len(failure) > 1 and isinstance(failure[1], list) else []
        if kind == "UserWarning" and detail:
            raise _Warning(detail[0])
        if kind in _BUSINESS_ERRORS:
            raise ErpRejected(f"Tryton refused {method}: {detail[0] if detail else kind}")
        raise ErpUnavailable(f"Tryton failed {method}: {kind}")


class _SessionExpired(Exception):
    pass


class _Warning(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name
