"""Per request: the request id (X-Request-Id or a fresh one, echoed), a server span continuing the
client's `traceparent`, the latency histogram and one access line with what the GraphQL extension
learnt (operation name and type, caller kind, error codes)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import structlog
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from api.observability import metrics
from api.observability.logging import get_logger
from api.observability.tracing import tracer

log = get_logger("rfpmarket.access")
# A client's id is echoed and logged: printable, short, no separators a log reader could trip on.
CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
# Route templates, so a path a client makes up never becomes a metric label.
ROUTES = ("/graphql", "/healthz", "/readyz", "/metrics", "/exports/", "/graphiql/")


@dataclass
class RequestInfo:
    """Filled in by the GraphQL extension while the request runs, read by the access line."""

    request_id: str
    operation_name: str | None = None
    operation_type: str | None = None
    caller: str = "anonymous"
    error_codes: list[str] = field(default_factory=list)


current: ContextVar[RequestInfo | None] = ContextVar("rfpmarket_request", default=None)


def note_caller(viewer: Any) -> None:
    """The caller's kind for the access line (buyer, vendor; anonymous stays the default): never its key."""
    info = current.get()
    if info is not None and viewer is not None:
        info.caller = str(viewer.kind.value).lower()


def request_id_from(headers: dict[bytes, bytes]) -> str:
    given = headers.get(b"x-request-id", b"").decode("latin-1").strip()
    return given if CLIENT_REQUEST_ID.match(given) else uuid.uuid4().hex


def route_of(path: str) -> str:
    for route in ROUTES:
        if path == route or (route.endswith("/") and path.startswith(route)):
            return route + "*" if route.endswith("/") else route
    return "other"


class RequestObservability:
    """Outermost ASGI middleware: every response, a 413 or a 500 included, carries X-Request-Id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        info = RequestInfo(request_id_from(headers))
        # api/graphql_view.request_id_of reads it from here: one id for the logs, errors and header.
        scope.setdefault("state", {})["request_id"] = info.request_id
        with _bound(info), _server_span(scope, headers) as span:
            await self._run(scope, receive, send, info, span)

    async def _run(self, scope: Scope, receive: Receive, send: Send, info: RequestInfo, span: Any) -> None:
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", info.request_id.encode())]
            elif message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and status == 500:
                status = 403  # closed before the handshake completed: refused, not failed
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _finish(scope, info, span, status, time.perf_counter() - started)


def _finish(scope: Scope, info: RequestInfo, span: Any, status: int, seconds: float) -> None:
    method = scope.get("method", "WS")
    route = route_of(scope["path"])
    metrics.HTTP_REQUESTS.labels(method, route, str(status)).observe(seconds)
    if status >= 400 and not info.error_codes:
        metrics.ERRORS.labels("http", str(status)).inc()
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))
    log.info(
        "request",
        method=method,
        path=route,
        status=status,
        duration_ms=round(seconds * 1000, 2),
        caller=info.caller,
        operation_name=info.operation_name,
        operation_type=info.operation_type,
        error_code=info.error_codes[0] if info.error_codes else None,
        error_codes=info.error_codes or None,
    )


class _bound:
    """The request id on every log line and the RequestInfo in reach of the GraphQL extension."""

    def __init__(self, info: RequestInfo) -> None:
        self.info = info

    def __enter__(self) -> None:
        self.token = current.set(self.info)
        self.bound = structlog.contextvars.bound_contextvars(request_id=self.info.request_id)
        self.bound.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.bound.__exit__(None, None, None)
        current.reset(self.token)


class _server_span:
    def __init__(self, scope: Scope, headers: dict[bytes, bytes]) -> None:
        carrier = {key.decode("latin-1"): value.decode("latin-1") for key, value in headers.items()}
        self.parent = propagate.extract(carrier)
        self.scope = scope

    def __enter__(self) -> Any:
        method = self.scope.get("method", "WS")
        self.span = tracer().start_span(
            f"{method} {route_of(self.scope['path'])}", context=self.parent, kind=SpanKind.SERVER
        )
        self.span.set_attribute("http.request.method", method)
        self.span.set_attribute("url.path", route_of(self.scope["path"]))
        self.token = otel_context.attach(trace.set_span_in_context(self.span, self.parent))
        return self.span

    def __exit__(self, *exc: object) -> None:
        otel_context.detach(self.token)
        self.span.end()


class OperationObservability(SchemaExtension):
    """The operation's name, type, caller kind and error codes for the access line, its latency and its
    errors (GraphQL errors and userErrors) for the metrics."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        operation_type = _operation_type(context)
        field_name = _first_root_field(context)
        metrics.OPERATIONS.labels(operation_type, field_name).observe(time.perf_counter() - started)
        codes = [*_graphql_codes(context), *_user_codes(context.result)]
        for source, code in codes:
            metrics.ERRORS.labels(source, code).inc()
            if code == "RATE_LIMITED":
                metrics.RATE_LIMITED.labels(_limit_of(source, field_name)).inc()
        info = current.get()
        if info is not None:
            viewer = getattr(context.context, "viewer", None)
            info.caller = viewer.kind.value.lower() if viewer is not None else "anonymous"
            info.operation_name = (context.operation_name or "")[:100] or None
            info.operation_type = operation_type
            info.error_codes = [code for _, code in codes]


def _operation_type(context: Any) -> str:
    try:
        return str(context.operation_type.value)
    except Exception:  # no document (a syntax error) or no such operation
        return "-"


def _first_root_field(context: Any) -> str:
    """The first root field's name, when it is one of the schema's (a client may alias or misspell
    anything, and a label must stay bounded)."""
    document = context.graphql_document
    if document is None:
        return "-"
    for definition in document.definitions:
        selections = getattr(definition, "selection_set", None)
        if getattr(definition, "operation", None) is not None and selections and selections.selections:
            name = getattr(getattr(selections.selections[0], "name", None), "value", "")
            core = context.schema._schema
            roots = (core.query_type, core.mutation_type, core.subscription_type)
            return name if any(root is not None and name in root.fields for root in roots) else "other"
    return "-"


def _graphql_codes(context: Any) -> Iterator[tuple[str, str]]:
    """extensions.code, or for graphql-core's own errors the phase that refused the document."""
    for error in getattr(context.result, "errors", None) or ():
        code = (error.extensions or {}).get("code")
        if not code:
            if context.graphql_document is None:
                code = "GRAPHQL_PARSE_FAILED"
            else:
                code = "GRAPHQL_VALIDATION_FAILED" if error.path is None else "GRAPHQL_ERROR"
        yield "graphql", str(code)


def _user_codes(result: Any) -> Iterator[tuple[str, str]]:
    data = getattr(result, "data", None) or {}
    for payload in data.values() if isinstance(data, dict) else ():
        if isinstance(payload, dict):
            for error in payload.get("userErrors") or ():
                if isinstance(error, dict) and error.get("code"):
                    yield "user", str(error["code"])


def _limit_of(source: str, field_name: str) -> str:
    if source == "graphql":
        return "write"
    return {"registerOrganization": "register", "reviseProposal": "revision"}.get(field_name, "other")
