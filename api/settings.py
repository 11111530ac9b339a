"""Configuration from the environment (pydantic-settings); every variable is documented in README."""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(str, Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


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
    trusted_proxies: list[str] = Field(default_factory=list)
    # `rfpmarket serve` (uvicorn): how long SIGTERM/SIGINT waits for requests in flight before closing
    # them, idle keep-alive, and the most connections served at once (503 beyond).
    drain_seconds: int = 10
    # A connection must send a request's complete headers this soon (api/http_protocol.py).
    header_timeout_seconds: float = 10.0
    keep_alive_seconds: int = 5
    max_connections: int = 200
    cors_origins: list[str] = Field(default_factory=list)
    # The public https URL clients reach the API at, for links the API writes (the OCDS package
    # `uri`); unset, such links are URNs. Never taken from the request's Host header.
    public_base_url: HttpUrl | None = None
    log_level: str = "INFO"

    @property
    def public_url(self) -> str | None:
        return str(self.public_base_url) if self.public_base_url else None

    @property
    def production(self) -> bool:
        return self.env == Environment.PRODUCTION


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
