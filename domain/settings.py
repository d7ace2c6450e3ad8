"""One settings object, read from TILLSYNC_* environment variables."""

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr

from domain.periods import PostingMode

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
    erp_rpc_login: str = Field(
        default="", description="ERP user for JSON-RPC (reconciling payments); default: sandbox's"
    )
    erp_rpc_password: SecretStr = Field(default=SecretStr(""), description="never logged")
    tax_tolerance_per_line: Decimal = Decimal("0.01")
    max_concurrent_activities: int = 20
    # POS ingest (starter/ingest): where it listens, whom it trusts, and its limits.
    ingest_host: str = "127.0.0.1"
    ingest_port: int = 8080
    ingest_secrets_file: Path | None = Field(
        default=None, description='JSON file {"store_id": "secret", ...}; never logged'
    )
    store_secrets: SecretStr = Field(
        default=SecretStr(""), description='JSON {"store_id": "secret", ...}; never logged'
    )
    ingest_signature_max_age_seconds: int = Field(default=300, gt=0)
    ingest_max_body_bytes: int = Field(default=2 * 1024 * 1024, gt=0)
    ingest_max_batch: int = Field(default=500, gt=0)
    ingest_requests_per_second: float = Field(default=50.0, gt=0, description="per store")
    ingest_burst: int = Field(default=100, gt=0, description="requests a store may send at once")
    receipt_gap_grace_seconds: int = Field(
        default=3600, ge=0, description="how long a receipt gap may stay open before it is raised"
    )
    # Finance (period close, daily consolidated posting).
    erp_posting_mode: PostingMode = Field(
        default=PostingMode.PER_TRANSACTION,
        description="per_transaction: an invoice per ticket; daily: one posting per store-day",
    )
    daily_posting_hour: int = Field(default=2, ge=0, le=23, description="UTC hour of daily runs")

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
