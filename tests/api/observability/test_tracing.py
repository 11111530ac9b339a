"""Traces collected with OpenTelemetry's in-memory exporter: the request continues the client's
traceparent, the GraphQL operation and the resolvers worth timing nest under it, and every database
command is a span of the same trace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util._once import Once

from api.observability.tracing import configure_tracing
from api.settings import Settings
from tests.conftest import Api
from tests.helpers import open_rfp, register, submit

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
RANKED = """query Ranked($id: ID!) { rfp(id: $id) { title rankedProposals(first: 5) { edges { rank } } } }"""

_exporter = InMemorySpanExporter()


_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(_exporter))


def _install(provider: TracerProvider | None) -> None:
    """OpenTelemetry lets a process set its provider once; its own test utilities reset it like this,
    so tests after these run untraced, as they would in production without an endpoint."""
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None
    if provider is not None:
        trace.set_tracer_provider(provider)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    _install(_provider)
    _exporter.clear()
    yield _exporter
    _exporter.clear()
    _install(None)


def parent_of(span: ReadableSpan) -> int:
    assert span.parent is not None, span.name
    return span.parent.span_id


async def test_traceparent_continues_into_operation_resolvers_and_db_commands(
    spans: InMemorySpanExporter, api: Api
) -> None:
    _, buyer = await register(api, "BUYER", "Trace Buyer")
    _, vendor = await register(api, "VENDOR", "Trace Vendor")
    rfp_id = await open_rfp(api, buyer)
    await submit(api, vendor, rfp_id)
    await api.market.digests.close()  # the submission's background refresh belongs to its own trace
    spans.clear()
    response = await api.client.post(
        "/graphql",
        json={"query": RANKED, "variables": {"id": rfp_id}, "operationName": "Ranked"},
        headers={"Authorization": f"Bearer {buyer}", "traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"},
    )
    assert response.status_code == 200 and "errors" not in response.json()
    finished = spans.get_finished_spans()
    ours = [span for span in finished if format(span.context.trace_id, "032x") == TRACE_ID]
    assert len(ours) == len(finished)  # nothing of this request started a trace of its own
    by_name = {span.name: span for span in ours}
    server = by_name["POST /graphql"]
    assert format(parent_of(server), "016x") == PARENT_ID
    operation = by_name["GraphQL Query: Ranked"]
    assert parent_of(operation) == server.context.span_id
    ranked = by_name["GraphQL Resolving: rankedProposals"]
    assert "GraphQL Resolving: rfp" in by_name and "GraphQL Resolving: title" not in by_name
    db = [span for span in ours if span.name.startswith("mongodb.")]
    assert {"mongodb.find"} <= {span.name for span in db}
    # The caller's key lookup hangs off the request; the ranking's reads off the resolver.
    assert any(parent_of(span) == server.context.span_id for span in db)
    assert any(parent_of(span) == ranked.context.span_id for span in db)
    assert all((span.attributes or {})["db.system"] == "mongodb" for span in db)
    # No span carries a key, a variable or a command document.
    assert buyer not in json.dumps([dict(span.attributes or {}) for span in ours])


async def test_without_traceparent_the_request_starts_a_trace(spans: InMemorySpanExporter, api: Api) -> None:
    await api.client.post("/graphql", json={"query": "{ __typename }"})
    server = next(span for span in spans.get_finished_spans() if span.name == "POST /graphql")
    assert server.parent is None


async def test_a_malformed_traceparent_is_ignored(spans: InMemorySpanExporter, api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"traceparent": "00-zz-not-a-trace"}
    )
    assert response.status_code == 200
    server = next(span for span in spans.get_finished_spans() if span.name == "POST /graphql")
    assert server.parent is None


def test_no_endpoint_no_exporter() -> None:
    assert configure_tracing(Settings()) is False


def test_an_endpoint_installs_the_otlp_exporter() -> None:
    code = (
        "from opentelemetry import trace; from api.observability.tracing import configure_tracing;"
        "from api.settings import Settings; assert configure_tracing(Settings());"
        "print(type(trace.get_tracer_provider()).__name__)"
    )
    env = {**os.environ, "RFPMARKET_OTLP_ENDPOINT": "http://127.0.0.1:4318"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "TracerProvider"


def test_untraced_processes_do_not_wrap_resolvers(spans: InMemorySpanExporter) -> None:
    from api.observability import wiring
    from api.observability.requests import OperationObservability

    assert len(wiring.extensions()) == 2  # the tracing extension, with a provider installed
    _install(None)
    assert wiring.extensions() == [OperationObservability]
