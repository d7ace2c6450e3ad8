"""One settings object, read from TILLSYNC_* environment variables.

Every instance reads the environment (pydantic-settings), also one built in code: keyword
arguments win over the environment, which wins over the defaults.
"""

from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.outcomes import ExceptionKind, ExceptionOwner
from domain.periods import PostingMode

ENV_PREFIX = "TILLSYNC_"


class UnknownCustomer(StrEnum):
    """What a sale does when its customer is no ERP party."""

    CASH_SALE = "cash_sale"
    """book it to the cash-sale customer and open an unknown_customer exception (store ops)"""
    PARK = "park"
    """park it as unknown_customer until the party exists in the ERP (then retry)"""
    CREATE = "create"
    """create the customer in the ERP under the till's customer id, and book the sale to it"""


class StoreChannel(BaseModel):
    """How tillsync reaches a store's tills, and how the store sells."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook_url: str = Field(default="", description="empty: the tills pull, nothing is pushed")
    feed_format: Literal["canonical", "sitoo"] = Field(
        default="canonical", description="how master data is pushed to the webhook"
    )
    currency: str = "GBP"
    price_list: str | None = Field(default=None, description="the ERP price list it sells at")
    prices_include_tax: bool = True


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(default=Path(".data"), description="embedded stack state")
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    erp_sandbox_port: int = 8010
    task_queue: str = "tillsync"
    store_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in data_dir")
    erp_kind: Literal["tryton", "memory"] = Field(
        default="tryton", description="memory: the in-process stand-in (benchmarks, tests)"
    )
    erp_url: str = Field(default="", description="Tryton base URL; default: the sandbox's")
    erp_database: str = ""
    erp_api_key: SecretStr = Field(default=SecretStr(""), description="never logged")
    erp_company_id: int = 1
    erp_timeout_seconds: float = 30.0
    erp_max_concurrent_calls: int = Field(
        default=8, gt=0, description="ERP calls in flight at once from one worker process"
    )
    erp_batch_window_ms: int = Field(
        default=25,
        ge=0,
        le=500,
        description="how long a warehouse's first reservation (or stock issue) waits for others"
        " to share its ERP call (0: none); those arriving while a call is out go with the next",
    )
    erp_batch_lanes: int = Field(
        default=1,
        gt=0,
        le=64,
        description="reservation (and stock issue) batches out at once from a worker: stores are"
        " spread over the lanes, a lane has one ERP call out at a time",
    )
    erp_period_cache_seconds: float = Field(
        default=30.0, ge=0, description="how long a worker trusts the ERP's periods it read"
    )
    erp_batch_max: int = Field(
        default=50, gt=0, description="reservations (or stock issues) in one ERP call"
    )
    erp_rpc_login: str = Field(
        default="", description="ERP user for JSON-RPC (reconciling payments); default: sandbox's"
    )
    erp_rpc_password: SecretStr = Field(default=SecretStr(""), description="never logged")
    tax_tolerance_per_line: Decimal = Decimal("0.01")
    unknown_customer: UnknownCustomer = Field(
        default=UnknownCustomer.CASH_SALE,
        description="a ticket's customer the ERP does not know: cash_sale, park or create",
    )
    max_concurrent_activities: int = Field(default=100, gt=0)
    max_concurrent_workflow_tasks: int = Field(default=100, gt=0)
    workflow_task_pollers: int = Field(
        default=20,
        gt=0,
        le=100,
        description="long polls a worker keeps open for workflow tasks: a sale's run is one"
        " task, so at peak the tasks wait on the polls (Temporal's default, 5: about a fifth"
        " fewer tickets/s in benchmarks/pace.py)",
    )
    workflow_sandbox: bool = Field(
        default=True,
        description="run workflow code in Temporal's sandbox, which refuses non-deterministic"
        " calls at run time; off, a run costs about a quarter less worker CPU (docs/scaling.md):"
        " turn it off on production workers whose release passed the tests with it on",
    )
    max_cached_workflows: int = Field(
        default=1000,
        ge=0,
        description="open runs a worker keeps in memory (about 130 KB each); one evicted is"
        " replayed from its history when it next has work",
    )
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
    ingest_max_batch: int = Field(default=500, gt=0, description="records in one request")
    ingest_header_timeout_seconds: float = Field(
        default=10.0, gt=0, description="for a request's headers to arrive"
    )
    ingest_body_timeout_seconds: float = Field(
        default=30.0, gt=0, description="for a request's body to arrive"
    )
    ingest_keep_alive_seconds: int = Field(
        default=5, gt=0, description="an idle connection is closed after"
    )
    ingest_max_connections: int = Field(
        default=256, gt=0, description="connections and requests at once; 503 beyond"
    )
    ingest_max_header_bytes: int = Field(default=16 * 1024, gt=0)
    ingest_requests_per_second: float = Field(default=50.0, gt=0, description="per store")
    ingest_burst: int = Field(default=100, gt=0, description="requests a store may send at once")
    receipt_gap_grace_seconds: int = Field(
        default=3600, ge=0, description="how long a receipt gap may stay open before it is raised"
    )
    # Finance (period close, daily consolidated posting).
    erp_posting_mode: PostingMode = Field(
        default=PostingMode.DAILY,
        description="daily (default): each ticket's stock at once, batched, and one consolidated"
        " posting per store-day, the only mode whose ERP cost per ticket keeps pace with a"
        " chain; per_transaction: a sale and an invoice per ticket, for finance teams that"
        " want one document per ticket",
    )
    daily_posting_hour: int = Field(default=2, ge=0, le=23, description="UTC hour of daily runs")
    # Payload encryption (connectors/temporal) and the codec server (starter/codec_server).
    codec: Literal["on", "off"] = Field(
        default="on", description="off: Temporal stores payloads in clear (explicit opt-out)"
    )
    codec_keys: SecretStr = Field(
        default=SecretStr(""),
        description="payload keys, id:base64 (32 bytes) separated by commas; never logged",
    )
    codec_keys_file: Path | None = Field(
        default=None, description="the same as a file; default: codec-keys in data_dir"
    )
    codec_key_id: str = Field(
        default="", description="the key new payloads are encrypted with (needed when several)"
    )
    codec_server_host: str = "127.0.0.1"
    codec_server_port: int = 8089
    codec_server_origins: str = Field(
        default="http://localhost:8233",
        description="Temporal UI origins allowed by CORS, separated by commas",
    )
    codec_server_tokens: SecretStr = Field(
        default=SecretStr(""), description="bearer tokens accepted, by commas; never logged"
    )
    codec_server_tokens_file: Path | None = Field(
        default=None, description="the same as a file, one token a line"
    )
    codec_server_trust_ui_origin: bool = Field(
        default=False,
        description="dev only (loopback): a request from an allowed UI origin needs no token",
    )
    codec_server_max_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    # The Temporal UI's login (OIDC): the codec server verifies the access token it passes.
    codec_server_oidc_issuer: str = Field(
        default="",
        description="the issuer exactly as its tokens' `iss` says (https); empty: no OIDC",
    )
    codec_server_oidc_audience: str = Field(
        default="", description="the `aud` an access token must carry (needed with an issuer)"
    )
    codec_server_oidc_algorithms: str = Field(
        default="RS256,ES256", description="signature algorithms accepted (asymmetric only)"
    )
    codec_server_oidc_required_claim: str = Field(
        default="",
        description="a claim that must hold _REQUIRED_VALUE (a dotted path for nested claims:"
        " realm_access.roles); empty: any valid token of the audience decodes",
    )
    codec_server_oidc_required_value: str = ""
    codec_server_oidc_leeway_seconds: int = Field(
        default=30, ge=0, le=300, description="clock skew allowed on `exp`, `nbf` and `iat`"
    )
    codec_server_oidc_jwks_refresh_seconds: float = Field(
        default=30.0,
        ge=0,
        description="a token naming a key id the codec server does not know refetches the"
        " issuer's keys at most this often (rotation is picked up; forged ids cost nothing)",
    )

    # Exceptions and the sync-health page (starter/health_page).
    exception_owners: dict[ExceptionKind, ExceptionOwner] = Field(
        default_factory=dict,
        description='JSON {"kind": "store_ops|finance|it"}: overrides a kind\'s default owner',
    )
    health_host: str = "127.0.0.1"
    health_port: int = 8090
    health_users_file: Path | None = Field(
        default=None,
        description='JSON {"name": {"password_hash": "scrypt$...", "roles": ["finance"]}};'
        " `tillsync exceptions hash-password` makes a hash",
    )
    health_users: SecretStr = Field(
        default=SecretStr(""), description="the same JSON inline; never logged"
    )
    health_form_secret: SecretStr = Field(
        default=SecretStr(""), description="signs the page's form tokens; default: per process"
    )
    temporal_ui_url: str = Field(default="", description="default http://localhost:<ui port>")
    runbook_url: str = Field(
        default="/docs/runbook.md", description="each exception links to <url>#<kind>"
    )

    @property
    def resolved_temporal_ui_url(self) -> str:
        return (self.temporal_ui_url or f"http://localhost:{self.temporal_ui_port}").rstrip("/")

    # Tills: master data and available-to-sell pushed to each store's webhook.
    store_channels: dict[str, StoreChannel] = Field(
        default_factory=dict,
        description='JSON {"S001": {"webhook_url": ..., "price_list": ..., ...}, ...}',
    )
    masterdata_sync_minutes: int = Field(
        default=15, gt=0, description="how often each store's Schedule syncs master data"
    )
    masterdata_publish_attempts: int = Field(
        default=5, gt=0, description="webhook tries before a failed publication is an exception"
    )
    ats_debounce_ms: int = Field(
        default=1000,
        ge=0,
        le=60_000,
        description="how long a store's available-to-sell changes gather before one push",
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)

    # Sync health: metrics, and the anomaly flags (domain/anomalies.py).
    metrics_host: str = Field(default="127.0.0.1", description="where /metrics servers listen")
    worker_metrics_port: int = Field(
        default=9464, ge=0, le=65535, description="the worker's /metrics (0: not served)"
    )
    temporal_metrics_port: int = Field(
        default=9465,
        ge=0,
        le=65535,
        description="the Temporal SDK runtime's own Prometheus endpoint, also forwarded into the"
        " worker's /metrics (0: no SDK metrics)",
    )
    metrics_cache_seconds: float = Field(
        default=10.0, ge=0, description="how long a scrape reuses the store's figures"
    )
    store_silent_minutes: int = Field(
        default=30,
        gt=0,
        description="the page shows a store silent when its newest ticket arrived longer ago"
        " (the TillsyncStoreSilent alert's threshold, ops/prometheus)",
    )
    health_refresh_seconds: float = Field(
        default=300.0, gt=0, description="how often the worker recomputes anomaly flags"
    )
    anomaly_lookback_days: int = Field(default=28, gt=0, le=366)
    anomaly_ratio: Decimal = Field(
        default=Decimal(3), gt=1, description="a cashier flagged above this multiple of the norm"
    )
    anomaly_min_events: int = Field(
        default=5, gt=0, description="refunds (or overrides) a cashier needs before a flag"
    )
    phantom_quiet_days: int = Field(
        default=3, gt=0, description="days without a sale of a product that usually sells"
    )
    phantom_min_sale_days: int = Field(
        default=5, gt=0, description="days it sold on in the lookback to count as usually selling"
    )
    unreferenced_returns_max: int = Field(
        default=5, ge=0, description="unreferenced returns a store may take in the lookback"
    )

    @property
    def resolved_store_url(self) -> str:
        return self.store_url or f"sqlite:///{(self.data_dir / 'store.db').resolve()}"

    @property
    def resolved_codec_keys_file(self) -> Path:
        return self.codec_keys_file or self.data_dir / "codec-keys"

    @property
    def codec_server_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.codec_server_origins.split(",") if origin.strip()]

    @property
    def rejects_file(self) -> Path:
        return self.data_dir / "rejects.jsonl"
