"""The JSON-RPC session opens whole or not at all: a login whose preferences (the user's
company among them) did not arrive is tried again, never used without them (chaos seed 25:
a worker that logged in while the ERP was coming back had shipments refused for want of a
"Company")."""

import json

import httpx
import pytest

from connectors.erp.errors import ErpUnavailable
from connectors.erp.tryton.rpc import TrytonRpc
from connectors.erp.tryton_sandbox import TrytonSandboxInfo
from connectors.http_client import UntornClient

pytestmark = pytest.mark.erp


class PreferencesFailOnce(httpx.AsyncBaseTransport):
    """The real sandbox, except that the first ``get_preferences`` answers 502 (a proxy in
    front of a restarting ERP); it keeps the JSON-RPC calls it forwards."""

    def __init__(self) -> None:
        self._real = httpx.AsyncHTTPTransport()
        self._failed = False
        self.calls: list[dict[str, object]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["method"] == "model.res.user.get_preferences" and not self._failed:
            self._failed = True
            return httpx.Response(502, text="Bad Gateway")
        self.calls.append(body)
        return await self._real.handle_async_request(request)

    async def aclose(self) -> None:
        await self._real.aclose()


async def test_a_login_whose_preferences_failed_is_not_used_without_its_company(
    erp_sandbox: TrytonSandboxInfo,
) -> None:
    transport = PreferencesFailOnce()
    rpc = TrytonRpc(
        erp_sandbox.url, erp_sandbox.database, erp_sandbox.rpc_login, erp_sandbox.rpc_password
    )
    rpc._client = UntornClient(
        base_url=f"{erp_sandbox.url.rstrip('/')}/{erp_sandbox.database}/rpc/",
        transport=transport,
    )
    try:
        with pytest.raises(ErpUnavailable, match="get_preferences"):
            await rpc.call("company.company", "search", [])

        found = await rpc.call("company.company", "search", [])
    finally:
        await rpc.aclose()

    assert found == [erp_sandbox.company_id]
    logins = [call for call in transport.calls if call["method"] == "common.db.login"]
    assert len(logins) == 2, "the half-open session was opened again"
    search = [call for call in transport.calls if call["method"] == "model.company.company.search"]
    params = search[0]["params"]
    assert isinstance(params, list)
    assert params[-1]["company"] == erp_sandbox.company_id
