"""OpenTelemetry traces: the request, the GraphQL operation and the resolvers worth timing (strawberry's
extension), and every database command (a PyMongo command listener).

Spans go to an OTLP/HTTP collector when RFPMARKET_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT) is
set; otherwise no provider is installed and every span is OpenTelemetry's no-op. A client's
`traceparent` header continues its trace (W3C trace context).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from pymongo import monitoring
from strawberry.extensions.tracing import OpenTelemetryExtension

from api.settings import Settings


def tracer() -> trace.Tracer:
    """Looked up per use, not cached: whichever provider is installed now records the span."""
    return trace.get_tracer("rfpmarket")


# Below the root fields, only these resolvers do enough work to deserve a span of their own.
WORTH_TIMING = frozenset({"rankedProposals", "rankStability", "proposals", "rfps", "auditEvents", "score"})


def configure_tracing(settings: Settings) -> bool:
    """Install the OTLP exporter when an endpoint is configured; True when traces are exported."""
    if not settings.otlp_endpoint:
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    endpoint = str(settings.otlp_endpoint).rstrip("/") + "/v1/traces"
    provider = TracerProvider(resource=Resource.create({"service.name": "rfpmarket"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    return True


def tracing_enabled() -> bool:
    """An SDK provider is installed (configure_tracing, or a test's in-memory exporter)."""
    from opentelemetry.sdk.trace import TracerProvider

    return isinstance(trace.get_tracer_provider(), TracerProvider)


def _without_inputs(args: dict[str, Any], info: Any) -> dict[str, Any]:
    """Resolver arguments on spans: ids and page sizes help, inputs (proposals, keys' labels) stay out."""
    return {name: value for name, value in args.items() if name != "input"}


class GraphQLTracing(OpenTelemetryExtension):
    """strawberry's extension, with a span for root fields and the resolvers of WORTH_TIMING only:
    a span per scalar of a 100-edge page would cost more than the page."""

    def __init__(self) -> None:
        super().__init__(arg_filter=_without_inputs)

    async def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: str, **kwargs: Any
    ) -> Any:
        if info.path.prev is None or info.field_name in WORTH_TIMING:
            return await super().resolve(_next, root, info, *args, **kwargs)
        result = _next(root, info, *args, **kwargs)
        if hasattr(result, "__await__"):
            result = await result
        return result


class CommandTracing(monitoring.CommandListener):
    """A client span per database command, child of whatever span is current when it is sent.

    Only the command name and database are recorded, never the command document (it holds key hashes
    and proposals)."""

    def __init__(self) -> None:
        self.spans: dict[tuple[int, object], Span] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        span = tracer().start_span(f"mongodb.{event.command_name}", kind=SpanKind.CLIENT)
        if span.is_recording():
            span.set_attribute("db.system", "mongodb")
            span.set_attribute("db.name", event.database_name)
            span.set_attribute("db.operation", event.command_name)
            self.spans[(event.request_id, event.connection_id)] = span

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        span = self.spans.pop((event.request_id, event.connection_id), None)
        if span is not None:
            span.end()

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        span = self.spans.pop((event.request_id, event.connection_id), None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, event.failure.get("codeName", "failed")))
            span.end()
