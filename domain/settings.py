"""One settings object, read from TILLSYNC_* environment variables."""

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, Field

ENV_PREFIX = "TILLSYNC_"


class Settings(BaseModel):
    data_dir: Path = Field(default=Path(".data"), description="embedded stack state")
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    erp_sandbox_port: int = 8010
    task_queue: str = "tillsync"
    store_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in data_dir")
    erp_url: str = Field(default="", description="Tryton base URL; default: the sandbox's")
    erp_database: str = ""
    erp_api_key: str = ""
    erp_company_id: int = 1
    erp_timeout_seconds: float = 30.0
    tax_tolerance_per_line: Decimal = Decimal("0.01")
    max_concurrent_activities: int = 20

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Settings":
        values = {
            key[len(ENV_PREFIX) :].lower(): value
            for key, value in environ.items()
            if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in cls.model_fields
        }
        return cls.model_validate(values)

    @property
    def resolved_store_url(self) -> str:
        return self.store_url or f"sqlite:///{(self.data_dir / 'store.db').resolve()}"

    @property
    def rejects_file(self) -> Path:
        return self.data_dir / "rejects.jsonl"
