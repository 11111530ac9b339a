"""Prometheus metrics (prometheus-client) and the /metrics endpoint.

Labels are bounded by the code, never by what a client sends: routes are templates, operations are
named by their first root field (a schema field), codes are the API's error codes. Several uvicorn
workers write to PROMETHEUS_MULTIPROC_DIR (`rfpmarket serve --workers N` sets it) and any of them
answers /metrics for all of them.
"""

from __future__ import annotations

import hmac
import os
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from pymongo import monitoring
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.settings import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)

HTTP_REQUESTS = Histogram(
    "rfpmarket_http_request_duration_seconds",
    "HTTP requests by method, route template and status",
    ("method", "route", "status"),
    buckets=LATENCY_BUCKETS,
)
OPERATIONS = Histogram(
    "rfpmarket_graphql_operation_duration_seconds",
    "GraphQL operations by type and first root field (or `-` when none ran)",
    ("operation_type", "field"),
    buckets=LATENCY_BUCKETS,
)
ERRORS = Counter(
    "rfpmarket_errors_total",
    "Errors answered, by code; source: graphql (errors[].extensions.code), user (userErrors), http",
    ("source", "code"),
)
DB_COMMANDS = Histogram(
    "rfpmarket_db_command_duration_seconds",
    "MongoDB commands (PyMongo command monitoring) by command name and outcome",
    ("command", "outcome"),
    buckets=DB_BUCKETS,
)
DIGEST_REFRESHES = Counter(
    "rfpmarket_ranking_digest_refreshes_total", "Ranking-digest refreshes (scans) by outcome", ("outcome",)
)
DIGEST_LAG = Histogram(
    "rfpmarket_ranking_digest_lag_seconds",
    "From the write that scheduled a digest refresh to the refresh that includes it",
    buckets=LATENCY_BUCKETS,
)
EXPORT_ROWS = Counter("rfpmarket_export_rows_total", "Rows exported, by format", ("format",))
EXPORT_BYTES = Counter("rfpmarket_export_bytes_total", "Bytes of export files sent, by format", ("format",))
RATE_LIMITED = Counter(
    "rfpmarket_rate_limit_refusals_total",
    "Requests refused by a rate limit: write (mutations), register, revision",
    ("limit",),
)

# Command names are PyMongo's own; anything unexpected is folded so the label set stays bounded.
KNOWN_COMMANDS = frozenset(
    (
        *("find", "insert", "update", "delete", "aggregate", "count", "distinct", "findAndModify"),
        *("getMore", "killCursors", "createIndexes", "listIndexes", "ping", "hello", "isMaster"),
        *("commitTransaction", "abortTransaction", "endSessions", "listCollections", "dropDatabase"),
        *("drop", "create", "bulkWrite", "saslStart", "saslContinue", "buildInfo"),
    )
)


class CommandMetrics(monitoring.CommandListener):
    """Counts and times every database command of the app's client."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._observe(event.command_name, "ok", event.duration_micros)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._observe(event.command_name, "error", event.duration_micros)

    @staticmethod
    def _observe(name: str, outcome: str, micros: int) -> None:
        command = name if name in KNOWN_COMMANDS else "other"
        DB_COMMANDS.labels(command, outcome).observe(micros / 1_000_000)


def observe_digest_refresh(scheduled_at: float, ok: bool) -> None:
    """A refresh finished; `scheduled_at` is the time.monotonic() of the write that asked for it."""
    DIGEST_REFRESHES.labels("ok" if ok else "error").inc()
    if ok:
        DIGEST_LAG.observe(max(0.0, time.monotonic() - scheduled_at))


class Download(Protocol):
    def chunks(self, progress: Callable[[int], None] | None = ...) -> AsyncIterator[bytes]: ...


async def metered_chunks(download: Download, export_format: str) -> AsyncIterator[bytes]:
    """The export's bytes, counting rows (the writers report them per batch) and bytes as they go."""
    rows = EXPORT_ROWS.labels(export_format)
    sent = EXPORT_BYTES.labels(export_format)
    async for chunk in download.chunks(rows.inc):
        sent.inc(len(chunk))
        yield chunk


def registry() -> CollectorRegistry:
    """Every worker's values in multi-process mode, this process's otherwise."""
    if os.environ.get(MULTIPROC_ENV):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
        return collected
    return REGISTRY


def metrics_exposure(settings: Settings) -> str:
    if settings.metrics_port:
        return f"on its own port {settings.metrics_port}, no token"
    if settings.metrics_token:
        return "on the API port, bearer token required"
    if settings.production:
        return "not served (set RFPMARKET_METRICS_TOKEN or RFPMARKET_METRICS_PORT)"
    return "on the API port, open (development)"


def metrics_routes(settings: Settings) -> list[Route]:
    """/metrics on the API port, unless it has its own port or production gave it no token."""
    if settings.metrics_port or (settings.production and not settings.metrics_token):
        return []
    token = settings.metrics_token.get_secret_value().encode() if settings.metrics_token else None

    async def metrics(request: Request) -> Response:
        if token is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token):
                return JSONResponse(
                    {"errors": [{"message": "send the metrics token as `Authorization: Bearer <token>`"}]},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        return Response(generate_latest(registry()), media_type=CONTENT_TYPE_LATEST)

    return [Route("/metrics", metrics, methods=["GET"])]


def prepare_workers(workers: int) -> None:
    """Before uvicorn starts N workers: one folder where all of them write their values."""
    if workers > 1 and not os.environ.get(MULTIPROC_ENV):
        os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="rfpmarket-metrics-")


def serve_metrics_port(settings: Settings, host: str) -> None:
    """RFPMARKET_METRICS_PORT: a separate listener (a thread of the serving process)."""
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=host, registry=registry())
