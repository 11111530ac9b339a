"""GraphQL over HTTP: the graphql-http audit against the real server, and the content negotiation and
status codes of api/graphql_view.py checked directly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from api.embedded import EmbeddedDatabase, free_port
from api.http.graphql_view import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, negotiate
from tests.conftest import Api
from tests.helpers import register

AUDIT_DIR = Path(__file__).resolve().parents[3] / "tests" / "http_audit"
TYPENAME = {"query": "{ __typename }"}


@pytest.fixture
def audit_command() -> list[str]:
    """In CI the audit must run; locally it is skipped until `./dev install` has fetched graphql-http."""
    node = shutil.which("node")
    if node and (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        return [node, str(AUDIT_DIR / "audit.mjs")]
    if os.environ.get("CI"):
        pytest.fail("CI must run the graphql-http audit: node and `npm ci --prefix tests/http_audit` needed")
    pytest.skip("graphql-http is not installed: run ./dev install (npm ci --prefix tests/http_audit)")


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not become ready at {url}\n{log.read_text(errors='replace')}")


@pytest.fixture
def served(database_server: EmbeddedDatabase, tmp_path: Path) -> Iterator[str]:
    """`rfpmarket serve` (uvicorn) on a free port, on the session's database; yields the endpoint URL."""
    port, db, log = free_port(), f"test_http_{uuid.uuid4().hex[:12]}", tmp_path / "server.log"
    env = {**os.environ, "MONGODB_URI": database_server.uri, "RFPMARKET_DB": db}
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--data-dir", str(tmp_path)]
    # The log goes to a file: a pipe nobody reads would stall a chatty server.
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_ready(process, f"http://127.0.0.1:{port}/readyz", log)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with MongoClient(database_server.uri) as client:
            client.drop_database(db)


def test_graphql_http_audit_passes_every_audit(audit_command: list[str], served: str) -> None:
    """Every MUST and SHOULD of graphql-http's server audit, and (--strict) every MAY as well."""
    audit = subprocess.run([*audit_command, served, "--strict"], capture_output=True, text=True, timeout=120)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "MUST 13/13" in audit.stdout and "SHOULD 23/23" in audit.stdout, audit.stdout


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, APPLICATION_JSON),
        ("", APPLICATION_JSON),
        ("*/*", APPLICATION_JSON),
        ("application/*", APPLICATION_JSON),
        ("application/json", APPLICATION_JSON),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"application/json, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"application/json, {GRAPHQL_RESPONSE_JSON};q=0.5", APPLICATION_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, */*", GRAPHQL_RESPONSE_JSON),
        ("application/json, */*", APPLICATION_JSON),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", APPLICATION_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0, */*", APPLICATION_JSON),
        ("APPLICATION/JSON; charset=utf-8", APPLICATION_JSON),
        ("text/plain", None),
        ("application/json;q=0", None),
        ("application/json;q=nope", None),
        ("*/*;q=2", None),
    ],
)
def test_negotiate_picks_the_response_media_type(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


async def _post(api: Api, body: Any, accept: str | None = None, **headers: str) -> httpx.Response:
    sent = {"content-type": "application/json", **headers}
    if accept is not None:
        sent["accept"] = accept
    if isinstance(body, bytes):
        return await api.client.post("/graphql", content=body, headers=sent)
    return await api.client.post("/graphql", json=body, headers=sent)


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [(None, APPLICATION_JSON), ("*/*", APPLICATION_JSON), (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON)],
)
async def test_a_query_answers_200_in_the_negotiated_type(
    api: Api, accept: str | None, expected: str
) -> None:
    response = await _post(api, TYPENAME, accept)
    assert response.status_code == 200
    assert _media_type(response) == expected
    assert response.json() == {"data": {"__typename": "Query"}}


REQUEST_ERRORS = [
    pytest.param({"query": "{"}, id="syntax"),
    pytest.param({"query": "{ noSuchField }"}, id="validation"),
    pytest.param(
        {"query": "query($id: ID!) { rfp(id: $id) { id } }", "variables": {"id": None}}, id="variables"
    ),
    pytest.param({"query": "query A { __typename }", "operationName": "B"}, id="unknown-operation"),
    pytest.param({"query": "{" + " a: __typename" * 40 + " }"}, id="alias-limit"),
    pytest.param(
        {
            "query": "{ rfps(first: 100) { edges { node { proposals(first: 100) { totalCount "
            "edges { node { id summary status version } } } } } } }"
        },
        id="cost-limit",
    ),
]


@pytest.mark.parametrize("body", REQUEST_ERRORS)
async def test_request_errors_are_400_with_graphql_response_json(api: Api, body: dict[str, Any]) -> None:
    response = await _post(api, body, GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 400, response.text
    assert _media_type(response) == GRAPHQL_RESPONSE_JSON
    payload = response.json()
    assert "data" not in payload and payload["errors"], payload


@pytest.mark.parametrize("body", REQUEST_ERRORS)
async def test_request_errors_are_200_with_application_json(api: Api, body: dict[str, Any]) -> None:
    response = await _post(api, body, APPLICATION_JSON)
    assert response.status_code == 200, response.text
    assert _media_type(response) == APPLICATION_JSON
    payload = response.json()
    assert "data" not in payload and payload["errors"], payload


async def test_field_errors_keep_200_and_data_with_graphql_response_json(api: Api) -> None:
    """Execution started: a partial (or null) `data` is a 200, whatever the errors."""
    response = await _post(api, {"query": "{ rfps(first: 0) { totalCount } }"}, GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 200
    payload = response.json()
    assert "data" in payload and payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_mutations_over_get_are_405_and_do_not_run(api: Api) -> None:
    mutation = (
        'mutation { registerOrganization(input: {name: "Get Co", kind: BUYER, contactEmail: "a@b.co"}) '
    )
    mutation += "{ apiKey } }"
    for accept in (APPLICATION_JSON, GRAPHQL_RESPONSE_JSON):
        response = await api.client.get("/graphql", params={"query": mutation}, headers={"accept": accept})
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert _media_type(response) == accept
        assert "mutation" in response.json()["errors"][0]["message"]
    assert await api.store.organizations.count_documents({"name": "Get Co"}) == 0


async def test_get_cannot_pick_a_mutation_by_operation_name(api: Api) -> None:
    document = "query Q { __typename } mutation M { createApiKey(input: {}) { apiKey } }"
    response = await api.client.get("/graphql", params={"query": document, "operationName": "M"})
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    response = await api.client.get("/graphql", params={"query": document, "operationName": "Q"})
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


async def test_other_methods_are_405_allowing_get_and_post(api: Api) -> None:
    response = await api.client.head("/graphql", params=TYPENAME)
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"


async def test_queries_over_get_still_work(api: Api) -> None:
    _, key = await register(api, "BUYER")
    params = {
        "query": "query($first: Int) { rfps(first: $first) { totalCount } }",
        "variables": '{"first": 5}',
    }
    for accept in (APPLICATION_JSON, GRAPHQL_RESPONSE_JSON):
        headers = {"accept": accept, "authorization": f"Bearer {key}"}
        response = await api.client.get("/graphql", params=params, headers=headers)
        assert response.status_code == 200 and _media_type(response) == accept
        assert response.json() == {"data": {"rfps": {"totalCount": 0}}}


async def test_graphiql_is_still_served_to_browsers(api: Api) -> None:
    response = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]


MALFORMED = [
    pytest.param(b'{ "not a JSON', id="truncated-json"),
    pytest.param(b"", id="empty-body"),
    pytest.param(b"123", id="number-body"),
    pytest.param(b'"{ __typename }"', id="string-body"),
    pytest.param(b"null", id="null-body"),
    pytest.param(b'[{"query": "{ __typename }"}]', id="batch"),
    pytest.param(b'{"query": "\xff"}', id="invalid-utf8"),
    pytest.param(b"[" * 100_000, id="deep-nesting"),
    pytest.param(b'{"notquery": "{ __typename }"}', id="no-query"),
    pytest.param(b'{"query": 1}', id="query-number"),
    pytest.param(b'{"query": "{ __typename }", "variables": "x"}', id="variables-string"),
    pytest.param(b'{"query": "{ __typename }", "variables": []}', id="variables-list"),
    pytest.param(b'{"query": "{ __typename }", "operationName": 0}', id="operation-name-number"),
    pytest.param(b'{"query": "{ __typename }", "extensions": false}', id="extensions-boolean"),
]


@pytest.mark.parametrize("body", MALFORMED)
@pytest.mark.parametrize("accept", [APPLICATION_JSON, GRAPHQL_RESPONSE_JSON])
async def test_malformed_requests_are_400_with_an_errors_body(api: Api, body: bytes, accept: str) -> None:
    response = await _post(api, body, accept)
    assert response.status_code == 400, response.text
    assert _media_type(response) == accept
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/graphql", "application/json; charset=latin-1", ";"]
)
async def test_posts_that_are_not_utf8_json_are_415(api: Api, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type is not None else {}
    response = await api.client.post("/graphql", content=b'{"query": "{ __typename }"}', headers=headers)
    assert response.status_code == 415
    assert response.json()["errors"][0]["message"]


async def test_json_with_a_utf8_charset_is_accepted(api: Api) -> None:
    response = await _post(api, TYPENAME, **{"content-type": "application/json; charset=UTF-8"})
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


async def test_unacceptable_accept_is_406(api: Api) -> None:
    response = await _post(api, TYPENAME, "text/plain")
    assert response.status_code == 406
    assert _media_type(response) == APPLICATION_JSON
    assert response.json()["errors"][0]["message"]


async def test_oversized_bodies_are_still_413(api: Api) -> None:
    response = await _post(api, b'{"query": "' + b" " * 1_100_000 + b'{ __typename }"}')
    assert response.status_code == 413


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer ", "Basic Zm9vOmJhcg=="])
async def test_authorization_without_a_bearer_key_is_anonymous(api: Api, authorization: str) -> None:
    response = await _post(api, {"query": "{ viewer { organization { id } } }"}, authorization=authorization)
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": None}}


@pytest.mark.parametrize(
    "authorization", ["Bearer " + "x" * 5000, "Bearer \x7f", "bearer  a b", "Bearer rfpm_x"]
)
async def test_odd_bearer_keys_are_unauthenticated_not_500(api: Api, authorization: str) -> None:
    response = await _post(api, {"query": "{ viewer { organization { id } } }"}, authorization=authorization)
    assert response.status_code == 200
    assert [error["extensions"]["code"] for error in response.json()["errors"]] == ["UNAUTHENTICATED"]
    assert "data" not in response.json()
