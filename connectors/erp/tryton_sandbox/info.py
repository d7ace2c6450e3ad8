"""What a client needs to reach a running sandbox ERP (``tillsync erp info --json``)."""

from pydantic import BaseModel, ConfigDict

from connectors.erp.tryton.client import TrytonClient


class TrytonSandboxInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str
    database: str
    api_key: str
    company_id: int
    rpc_login: str = ""
    rpc_password: str = ""

    def client(self, timeout: float = 30.0) -> TrytonClient:
        """A client of this sandbox, with its JSON-RPC user."""
        return TrytonClient(
            self.url,
            self.database,
            self.api_key,
            self.company_id,
            timeout=timeout,
            rpc_login=self.rpc_login,
            rpc_password=self.rpc_password,
        )
