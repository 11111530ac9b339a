"""The few hooks the rest of the app calls: one place to see what observability adds to it."""

from __future__ import annotations

from typing import Any

from pymongo import monitoring
from starlette.middleware import Middleware
from starlette.routing import Route

from api.observability.graphiql import graphiql_routes
from api.observability.logging import configure_logging
from api.observability.metrics import CommandMetrics, metrics_routes
from api.observability.requests import OperationObservability, RequestObservability
from api.observability.tracing import CommandTracing, GraphQLTracing, configure_tracing, tracing_enabled
from api.settings import Settings


def configure(settings: Settings) -> None:
    """Process-wide: the log format and, when an endpoint is set, the trace exporter."""
    configure_logging(settings)
    configure_tracing(settings)


def middleware() -> Middleware:
    return Middleware(RequestObservability)


def routes(settings: Settings) -> list[Route]:
    return [*metrics_routes(settings), *graphiql_routes(settings)]


def extensions() -> list[Any]:
    """First in the list: they see the operation's errors after masking gave them their codes. The
    tracing extension wraps resolvers, so it is added only when spans are recorded somewhere."""
    if tracing_enabled():
        return [OperationObservability, lambda: GraphQLTracing()]
    return [OperationObservability]


def command_listeners() -> list[monitoring.CommandListener]:
    return [CommandMetrics(), CommandTracing()]
