"""Build the configured ERP from settings: the Tryton connector and books (of the configured
server, or of the embedded sandbox's info file), or the in-memory stand-in."""

import json
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from connectors.erp.base import ErpBooks, ErpConnector
from connectors.erp.memory import MemoryErp
from connectors.erp.tryton import TrytonConnector
from connectors.erp.tryton.books import TrytonBooks
from connectors.erp.tryton.client import TrytonClient
from domain.settings import Settings

MEMORY_DEFAULT_STOCK = Decimal(1_000_000)


def sandbox_info_path(settings: Settings) -> Path:
    return settings.data_dir / "erp" / "sandbox.json"


class ErpAddress(NamedTuple):
    url: str
    database: str
    api_key: str
    company_id: int


def erp_address(settings: Settings) -> ErpAddress:
    """URL, database, API key and company id of the configured ERP (or the sandbox's)."""
    if settings.erp_url:
        return ErpAddress(
            settings.erp_url,
            settings.erp_database,
            settings.erp_api_key.get_secret_value(),
            settings.erp_company_id,
        )
    info_file = sandbox_info_path(settings)
    if not info_file.exists():
        raise RuntimeError(
            f"no ERP configured: set TILLSYNC_ERP_URL (and _DATABASE, _API_KEY) or start "
            f"the embedded stack with `tillsync dev` (expected {info_file})"
        )
    info = json.loads(info_file.read_text())
    return ErpAddress(info["url"], info["database"], info["api_key"], info["company_id"])


def _rpc_credentials(settings: Settings) -> tuple[str, str]:
    """The ERP user JSON-RPC logs in as (configured, or the sandbox's); empty: none."""
    if settings.erp_url:
        return settings.erp_rpc_login, settings.erp_rpc_password.get_secret_value()
    info = json.loads(sandbox_info_path(settings).read_text())
    return info.get("rpc_login", ""), info.get("rpc_password", "")


def create_connector(settings: Settings) -> TrytonConnector:
    url, database, api_key, company_id = erp_address(settings)
    rpc_login, rpc_password = _rpc_credentials(settings)
    client = TrytonClient(
        url,
        database,
        api_key,
        company_id,
        timeout=settings.erp_timeout_seconds,
        rpc_login=rpc_login or None,
        rpc_password=rpc_password or None,
    )
    return TrytonConnector(client, posting_mode=settings.erp_posting_mode)


def create_books(settings: Settings) -> ErpBooks:
    """The books alone (finance's commands), on a client of their own."""
    url, database, api_key, company_id = erp_address(settings)
    return TrytonBooks(
        TrytonClient(url, database, api_key, company_id, timeout=settings.erp_timeout_seconds)
    )


def create_erp(settings: Settings) -> tuple[ErpConnector, ErpBooks]:
    """The connector and the books of ``settings.erp_kind``, sharing one connection: for
    ``memory`` one MemoryErp is both (it knows every code, and every product has ample stock
    everywhere); Tryton's books are the connector's (``TrytonConnector.books()``)."""
    if settings.erp_kind == "memory":
        erp = MemoryErp(default_stock=MEMORY_DEFAULT_STOCK)
        return erp, erp
    connector = create_connector(settings)
    return connector, connector.books()
