"""Configuration from the environment (pydantic-settings); every variable is documented in README."""

from __future__ import annotations

import hashlib
import json
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, HttpUrl, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Headers browsers may send cross-origin by default: auth and JSON, request ids and W3C trace context,
# and Apollo Client's client awareness and CSRF-prevention headers.
DEFAULT_CORS_ALLOW_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "X-Request-Id",
    "traceparent",
    "tracestate",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
]
# Response headers scripts may read: the export's file name and the request id to quote in support.
DEFAULT_CORS_EXPOSE_HEADERS = ["Content-Disposition", "X-Request-Id"]


class Environment(str, Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def parse_list(value: object) -> object:
    """`["a","b"]` (JSON) or `a, b` (comma-separated) from the environment; lists pass through."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError as error:  # reported as this variable's one-line error
            raise ValueError(f"not a valid JSON list: {error}") from None
    return [item.strip() for item in text.split(",") if item.strip()]


def check_log_level(value: str) -> str:
    level = value.strip().upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"allowed: {', '.join(LOG_LEVELS)} (any case)")
    return level


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RFPMARKET_", extra="ignore")

    # MONGODB_URI is the conventional name, so it carries no RFPMARKET_ prefix.
    mongodb_uri: str | None = Field(default=None, validation_alias="MONGODB_URI")
    db: str = "rfpmarket"
    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path(".rfpmarket")
    # How long start-up waits for the database before giving up.
    db_start_timeout_seconds: float = 30.0
    max_body_bytes: int = 1_000_000
    # Every GraphQL request over HTTP is stopped after this long (DEADLINE_EXCEEDED, 504).
    request_timeout_seconds: float = 30.0
    # GraphQL request limits (api/limits.py explains the cost model).
    max_query_depth: int = 10
    max_query_aliases: int = 15
    max_query_tokens: int = 2_000
    max_query_cost: int = 25_000
    # Subscriptions (api/services/live.py): caps, how far a subscriber may fall behind before it is
    # dropped, and how soon a revoked key ends its subscriptions.
    max_subscriptions_per_connection: int = 20
    max_subscriptions_per_instance: int = 5_000
    subscription_queue_size: int = 256
    subscription_recheck_seconds: float = 5.0
    # Webhooks (api/services/webhooks.py): attempts before a delivery is FAILED, the first retry's
    # delay (doubling each time), how often the sender looks for due deliveries.
    webhook_max_attempts: int = 8
    webhook_retry_base_seconds: float = 10.0
    webhook_poll_seconds: float = 1.0
    # registerOrganization calls allowed per client address per window.
    register_rate_limit: int = 20
    register_rate_window_seconds: int = 3_600
    # ... and from all addresses together, per the same window.
    register_rate_limit_global: int = 500
    # Mutations allowed per window (api/limits.WriteRateLimiter): per client address, per calling
    # organization (all its keys together) and in total.
    write_rate_limit_per_address: int = 300
    write_rate_limit_per_organization: int = 300
    write_rate_limit_global: int = 6_000
    write_rate_window_seconds: int = 60
    # Proxies (IPs or CIDR networks) whose X-Forwarded-For / X-Forwarded-Proto name the client;
    # empty: the TCP peer is the client and forwarded headers are ignored.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # `rfpmarket serve` (uvicorn): how long SIGTERM/SIGINT waits for requests in flight before closing
    # them, idle keep-alive, and the most connections served at once (503 beyond).
    drain_seconds: int = 10
    # A connection must send a request's complete headers this soon (api/http_protocol.py).
    header_timeout_seconds: float = 10.0
    keep_alive_seconds: int = 5
    max_connections: int = 200
    # Cross-origin browser access (README "For front-end teams"): each a comma-separated list or a
    # JSON array. Origins are normalized (lowercase, no trailing slash) so `https://app.example/` matches.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cors_allow_headers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_CORS_ALLOW_HEADERS)
    )
    cors_expose_headers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_CORS_EXPOSE_HEADERS)
    )
    # The public https URL clients reach the API at, for links the API writes (the OCDS package
    # `uri`); unset, such links are URNs. Never taken from the request's Host header.
    public_base_url: HttpUrl | None = None
    log_level: str = "INFO"
    # Operations (api/observability; README "Operating rfpmarket"). json: one JSON object a line
    # (default in production); console: readable lines (default in development).
    log_format: Literal["json", "console"] | None = None
    # /metrics: on the API port behind this bearer token, or alone on metrics_port; neither, in
    # production: not served.
    metrics_token: SecretStr | None = None
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # OTLP/HTTP collector (e.g. http://otel-collector:4318); unset: no traces are exported.
    otlp_endpoint: HttpUrl | None = Field(
        default=None, validation_alias=AliasChoices("RFPMARKET_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    # Production names its database; the embedded one only when this says so.
    allow_embedded_db: bool = False
    # GraphiQL's own copies of graphiql, react and react-dom (web/graphiql, `./dev install`).
    graphiql_assets_dir: Path | None = None
    # Trusted documents (README "For front-end teams"): a JSON manifest {"<sha256 hex>": "<document>"}
    # of the only operations served; unset, any valid operation is served (and APQ registers).
    trusted_documents: Path | None = None

    @field_validator(
        "trusted_proxies", "cors_origins", "cors_allow_headers", "cors_expose_headers", mode="before"
    )
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """A JSON list, or the plain comma-separated form operators write: `a, b`."""
        return parse_list(value)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        return check_log_level(value)

    @field_validator("trusted_documents")
    @classmethod
    def _readable_manifest(cls, path: Path | None) -> Path | None:
        if path is not None:
            load_manifest(path)  # a bad manifest stops start-up with its one-line reason
        return path

    @field_validator("cors_origins")
    @classmethod
    def _normalized_origins(cls, origins: list[str]) -> list[str]:
        return [normalize_origin(origin) for origin in origins]

    @property
    def public_url(self) -> str | None:
        return str(self.public_base_url) if self.public_base_url else None

    @property
    def production(self) -> bool:
        return self.env == Environment.PRODUCTION


def normalize_origin(origin: str) -> str:
    """`scheme://host[:port]` in lowercase without a trailing slash (what browsers send), or `*`."""
    text = origin.strip().rstrip("/")
    if text == "*":
        return text
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise ValueError(f"{origin!r} is not an origin like https://app.example.com")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def load_manifest(path: Path) -> dict[str, str]:
    """The trusted documents by SHA-256 of their exact text; ValueError (one line) when the file is
    missing, not a JSON object of strings, or a key is not its document's hash."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read a JSON manifest from {path}: {error}") from None
    if not isinstance(manifest, dict) or not all(
        isinstance(key, str) and isinstance(document, str) for key, document in manifest.items()
    ):
        raise ValueError(f"{path} must be a JSON object of sha256 hash -> document")
    for key, document in manifest.items():
        if hashlib.sha256(document.encode()).hexdigest() != key:
            raise ValueError(f"{path}: {key[:16]}... is not the SHA-256 of its document")
    return manifest


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
