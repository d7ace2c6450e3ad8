"""What a client needs to reach a running sandbox ERP (``tillsync erp info --json``)."""

from pydantic import BaseModel, ConfigDict


class TrytonSandboxInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str
    database: str
    api_key: str
    company_id: int
    rpc_login: str = ""
    rpc_password: str = ""
