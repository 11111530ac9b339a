"""Structured logs: JSON lines with the request id (echoed), operation, caller kind, status, duration and
error code; never an API key; uvicorn's lines in the same format."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.observability.logging import configure_logging
from api.settings import Settings
from tests.conftest import Api, MakeApp
from tests.helpers import REGISTER, register

VIEWER = "query Me { viewer { organization { id } } }"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = configure_logging(Settings(log_format="json", log_level="INFO"), stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    # Every line must be one JSON object: a plain-text line fails json.loads here.
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def request_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in parsed(stream) if line["event"] == "request"]


async def test_request_line_names_operation_caller_status_and_duration(
    api: Api, log_lines: io.StringIO
) -> None:
    _, key = await register(api, "BUYER", "Northwind Logs")
    response = await api.client.post(
        "/graphql",
        json={"query": VIEWER, "operationName": "Me"},
        headers={"Authorization": f"Bearer {key}", "X-Request-Id": "ticket-4711"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "ticket-4711"
    line = next(line for line in request_lines(log_lines) if line.get("request_id") == "ticket-4711")
    assert line["operation_name"] == "Me"
    assert line["operation_type"] == "query"
    assert line["caller"] == "buyer"
    assert line["status"] == 200
    assert line["path"] == "/graphql"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "info" and line["timestamp"].endswith("Z")
    # The key was sent and returned at registration: it appears in no line, whatever the level.
    assert key not in log_lines.getvalue()


async def test_generated_request_id_is_echoed_and_logged(api: Api, log_lines: io.StringIO) -> None:
    response = await api.client.post("/graphql", json={"query": "{ __typename }"})
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32
    line = next(line for line in request_lines(log_lines) if line.get("request_id") == request_id)
    assert line["caller"] == "anonymous"


async def test_hostile_request_id_is_replaced_not_echoed(api: Api, log_lines: io.StringIO) -> None:
    hostile = '"} {"level": "error", "x": "' + "A" * 100
    response = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": hostile}
    )
    echoed = response.headers["x-request-id"]
    assert echoed != hostile and "A" * 65 not in echoed
    assert all(line.get("request_id") != hostile for line in parsed(log_lines))


async def test_error_code_is_on_the_line_and_every_line_of_the_request_has_its_id(
    api: Api, log_lines: io.StringIO
) -> None:
    await register(api, "VENDOR", "Twice Ltd")
    variables = {"input": {"name": "Twice Ltd", "kind": "VENDOR", "contactEmail": "a@example.com"}}
    response = await api.client.post(
        "/graphql", json={"query": REGISTER, "variables": variables}, headers={"X-Request-Id": "dup-1"}
    )
    assert response.json()["data"]["registerOrganization"]["userErrors"][0]["code"] == "CONFLICT"
    line = next(line for line in request_lines(log_lines) if line.get("request_id") == "dup-1")
    assert line["error_code"] == "CONFLICT" and line["operation_type"] == "mutation"
    # A client error logged by strawberry during that request carries the same id.
    await api.client.post("/graphql", json={"query": "{ nope }"}, headers={"X-Request-Id": "bad-1"})
    lines = [line for line in parsed(log_lines) if line.get("request_id") == "bad-1"]
    assert {line["event"] for line in lines} >= {"request"}
    assert any(line["event"].startswith("client error") for line in lines)
    assert (
        next(line for line in lines if line["event"] == "request")["error_code"]
        == "GRAPHQL_VALIDATION_FAILED"
    )


async def test_413_and_404_carry_a_request_id_too(api: Api, log_lines: io.StringIO) -> None:
    response = await api.client.get("/no/such/route")
    assert response.status_code == 404 and response.headers["x-request-id"]
    line = next(
        line for line in request_lines(log_lines) if line["request_id"] == response.headers["x-request-id"]
    )
    assert line["path"] == "other"  # a made-up path never reaches a log field or a metric label


def test_uvicorn_access_and_app_lines_share_the_json_format(log_lines: io.StringIO) -> None:
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET", "/healthz", "1.1", 200
    )
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("rfpmarket").error("boom", exc_info=ValueError("x"))
    access, started, failed = parsed(log_lines)[-3:]
    assert access["event"] == "access" and access["status"] == 200 and access["path"] == "/healthz"
    assert started["event"] == "Started server process [42]" and started["logger"] == "uvicorn.error"
    assert failed["level"] == "error" and failed["exception"][0]["exc_type"] == "ValueError"


def test_development_lines_are_readable_not_json() -> None:
    stream = io.StringIO()
    handler = configure_logging(Settings(log_level="INFO"), stream)
    try:
        logging.getLogger("rfpmarket").info("hello %s", "operator")
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert "hello operator" in text and not text.lstrip().startswith("{")


def test_a_websocket_is_logged_as_accepted_not_as_a_failure(
    make_app: MakeApp, settings: Settings, log_lines: io.StringIO
) -> None:
    app = make_app(settings)
    with TestClient(app) as client:
        with client.websocket_connect(
            "/graphql", subprotocols=["graphql-transport-ws"], headers={"X-Request-Id": "socket-1"}
        ) as socket:
            socket.send_json({"type": "connection_init"})
            assert socket.receive_json()["type"] == "connection_ack"
        client.portal.call(app.state.market_state.store.client.drop_database, settings.db)  # type: ignore[union-attr]
    line = next(line for line in request_lines(log_lines) if line.get("request_id") == "socket-1")
    assert line["method"] == "WS" and line["status"] == 101


async def test_export_requests_name_their_caller_kind(api: Api, log_lines: io.StringIO) -> None:
    _, buyer = await register(api, "BUYER", "Exporting Buyer")
    response = await api.client.get(
        "/exports/rfps/nope/ranking.csv",
        headers={"Authorization": f"Bearer {buyer}", "X-Request-Id": "exp-1"},
    )
    assert response.status_code == 404
    line = next(line for line in request_lines(log_lines) if line.get("request_id") == "exp-1")
    assert line["caller"] == "buyer" and line["path"] == "/exports/*" and line["status"] == 404
