"""Build the configured ERP connector from settings (or the embedded sandbox's info file)."""

import json
from pathlib import Path

from connectors.erp.base import ErpConnector
from connectors.erp.tryton import TrytonConnector
from domain.settings import Settings


def sandbox_info_path(settings: Settings) -> Path:
    return settings.data_dir / "erp" / "sandbox.json"


def create_connector(settings: Settings) -> ErpConnector:
    if settings.erp_url:
        url, database, api_key, company_id = (
            settings.erp_url,
            settings.erp_database,
            settings.erp_api_key,
            settings.erp_company_id,
        )
    else:
        info_file = sandbox_info_path(settings)
        if not info_file.exists():
            raise RuntimeError(
                f"no ERP configured: set TILLSYNC_ERP_URL (and _DATABASE, _API_KEY) or start "
                f"the embedded stack with `tillsync dev` (expected {info_file})"
            )
        info = json.loads(info_file.read_text())
        url, database, api_key, company_id = (
            info["url"],
            info["database"],
            info["api_key"],
            info["company_id"],
        )
    return TrytonConnector(url, database, api_key, company_id, timeout=settings.erp_timeout_seconds)
