"""One connection to a Tryton server, shared by the connector and the books: its REST client,
its JSON-RPC session (when a user is configured) and the cache of codes resolved to ids."""

from connectors.erp.tryton.codes import TrytonCodes
from connectors.erp.tryton.rest import TrytonRest
from connectors.erp.tryton.rpc import TrytonRpc


class TrytonClient:
    def __init__(
        self,
        base_url: str,
        database: str,
        api_key: str,
        company_id: int,
        *,
        timeout: float = 30.0,
        rpc_login: str | None = None,
        rpc_password: str | None = None,
    ) -> None:
        """``rpc_login`` and ``rpc_password``: the ERP user for JSON-RPC, which reconciling
        payments and booking tickets' shipments in batches need (REST does not expose them)."""
        self.company_id = company_id
        self.rest = TrytonRest(base_url, database, api_key, company_id, timeout=timeout)
        self.rpc = (
            TrytonRpc(base_url, database, rpc_login, rpc_password, timeout=timeout)
            if rpc_login and rpc_password
            else None
        )
        self.codes = TrytonCodes(self.rest)

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent to Tryton so far, REST and JSON-RPC."""
        return self.rest.requests_sent + (self.rpc.requests_sent if self.rpc else 0)

    async def aclose(self) -> None:
        """Close the connections (again: nothing; the connector and the books both close)."""
        await self.rest.aclose()
        if self.rpc is not None:
            await self.rpc.aclose()
