"""API keys, registration rate limit, request limits, error masking, production mode and CORS."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.observability.config_check import settings_or_exit
from api.settings import Settings
from tests.conftest import Api, Clock, ServeApp
from tests.helpers import REGISTER, codes, open_rfp, register

CREATE_KEY = """
mutation($label: String) {
  createApiKey(input: {label: $label}) { apiKey key { id hint label revokedAt } userErrors { code message } }
}"""
REVOKE_KEY = """
mutation($id: ID!) { revokeApiKey(input: {keyId: $id}) { key { id revokedAt } userErrors { code field } } }"""
KEYS = "{ viewer { organization { name } apiKeys { id hint label revokedAt } } }"


async def test_issue_and_revoke_keys(api: Api) -> None:
    _, first_key = await register(api, "VENDOR", "Acme")
    created = (await api.data(CREATE_KEY, {"label": "ci pipeline"}, first_key))["createApiKey"]
    second_key = created["apiKey"]
    assert created["userErrors"] == [] and created["key"]["label"] == "ci pipeline"
    assert second_key.startswith(created["key"]["hint"])
    listed = (await api.data(KEYS, key=second_key))["viewer"]
    assert len(listed["apiKeys"]) == 2 and listed["organization"]["name"] == "Acme"
    assert all(second_key not in str(key) for key in listed["apiKeys"])

    first_id = next(key["id"] for key in listed["apiKeys"] if key["id"] != created["key"]["id"])
    revoked = (await api.data(REVOKE_KEY, {"id": first_id}, second_key))["revokeApiKey"]
    assert revoked["userErrors"] == [] and revoked["key"]["revokedAt"] is not None
    stopped = await api(KEYS, key=first_key)  # stops working at once, and the client is told so
    assert [error["extensions"]["code"] for error in stopped["errors"]] == ["UNAUTHENTICATED"]
    last = (await api.data(REVOKE_KEY, {"id": created["key"]["id"]}, second_key))["revokeApiKey"]
    assert codes(last) == ["INVALID_STATE"]  # the last live key cannot lock the organization out
    again = (await api.data(REVOKE_KEY, {"id": first_id}, second_key))["revokeApiKey"]
    assert codes(again) == ["NOT_FOUND"]


async def test_keys_of_other_organizations_are_not_found(api: Api) -> None:
    _, acme = await register(api, "VENDOR", "Acme")
    _, rival = await register(api, "VENDOR", "Rival")
    await api.data(CREATE_KEY, {"label": "spare"}, acme)
    acme_keys = (await api.data(KEYS, key=acme))["viewer"]["apiKeys"]
    result = (await api.data(REVOKE_KEY, {"id": acme_keys[0]["id"]}, rival))["revokeApiKey"]
    assert codes(result) == ["NOT_FOUND"]
    assert codes((await api.data(CREATE_KEY, {}, None))["createApiKey"]) == ["FORBIDDEN"]
    assert codes((await api.data(REVOKE_KEY, {"id": "bad"}, acme))["revokeApiKey"]) == ["NOT_FOUND"]


async def test_api_keys_are_never_logged(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _, key = await register(api, "BUYER")
    await api.data(KEYS, key=key)
    await open_rfp(api, key)
    assert key not in caplog.text


@pytest.fixture
async def tight_api(serve_app: ServeApp, settings: Settings, clock: Clock) -> AsyncIterator[Api]:
    limited = settings.model_copy(
        update={"register_rate_limit": 3, "max_body_bytes": 20_000, "cors_origins": ["https://app.example/"]}
    )
    async with serve_app(limited, clock=clock, peer="203.0.113.9") as served:
        yield served


async def test_registration_is_rate_limited_per_address(tight_api: Api, clock: Clock) -> None:
    def variables(n: int) -> dict[str, object]:
        return {"input": {"name": f"Spam {n}", "kind": "VENDOR", "contactEmail": "s@example.com"}}

    results = [(await tight_api.data(REGISTER, variables(n)))["registerOrganization"] for n in range(4)]
    assert [codes(result) for result in results] == [[], [], [], ["RATE_LIMITED"]]
    assert await tight_api.store.organizations.count_documents({}) == 3
    clock.advance(hours=1)
    assert (await tight_api.data(REGISTER, variables(5)))["registerOrganization"]["userErrors"] == []


async def test_oversized_bodies_get_413(tight_api: Api) -> None:
    query = "{ viewer { organization { id } } }" + " " * 30_000
    response = await tight_api.client.post("/graphql", json={"query": query})
    assert response.status_code == 413


async def test_cors_allows_only_listed_origins(tight_api: Api) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = await tight_api.client.options(
        "/graphql", headers={"Origin": "https://app.example", **preflight}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    denied = await tight_api.client.options(
        "/graphql", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in denied.headers


def _nested(depth: int) -> str:
    query = "id"
    for _ in range(depth):
        query = f"rfp {{ buyer {{ id }} proposals {{ edges {{ node {{ {query} }} }} }} }}"
    return f'{{ rfp(id: "x") {{ proposals {{ edges {{ node {{ {query} }} }} }} }} }}'


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (_nested(3), "exceeds maximum operation depth"),
        ("{ " + " ".join(f"a{i}: viewer {{ organization {{ id }} }}" for i in range(20)) + " }", "aliases"),
        ("{ viewer { organization { " + "id " * 2500 + "} } }", "token"),
        (
            "{ rfps(first: 100) { edges { node { "
            "proposals(first: 100) { edges { node { id summary } } } } } } }",
            "query cost",
        ),
    ],
)
async def test_request_limits(api: Api, query: str, expected: str) -> None:
    _, key = await register(api, "BUYER")
    body = await api(query, key=key)
    assert body.get("data") is None
    assert expected in body["errors"][0]["message"].lower(), body


async def test_ordinary_pages_fit_the_cost_limit(api: Api) -> None:
    _, key = await register(api, "BUYER")
    query = """{ rfps(first: 100) { edges { node { id title proposals(first: 10) { edges { node { id
               score { total components { criterion value weight contribution explanation } } } } } } } } }"""
    assert "errors" not in await api(query, key=key)


async def test_unexpected_errors_are_masked_and_logged_with_a_request_id(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    _, key = await register(api, "BUYER")
    rfp_id = await open_rfp(api, key)
    # A document no code path writes: reading it fails deep inside, as a real bug would.
    await api.store.rfps.update_many({}, {"$set": {"category": "NOT_A_CATEGORY"}})
    body = await api("query($id: ID!) { rfp(id: $id) { title } }", {"id": rfp_id}, key)
    error = body["errors"][0]
    request_id = error["extensions"]["requestId"]
    assert error["message"] == f"Internal server error (request id {request_id})"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "NOT_A_CATEGORY" not in str(body) and "Traceback" not in str(body)
    logged = [record for record in caplog.records if request_id in record.getMessage()]
    assert logged and logged[0].exc_info is not None


@pytest.fixture
async def production_api(serve_app: ServeApp, settings: Settings) -> AsyncIterator[Api]:
    async with serve_app(settings.model_copy(update={"env": "production"})) as served:
        yield served


async def test_production_hides_introspection_graphiql_and_suggestions(production_api: Api) -> None:
    body: dict[str, Any] = await production_api("{ __schema { types { name } } }")
    assert body.get("data") is None and "introspection" in body["errors"][0]["message"].lower()
    page = await production_api.client.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    body = await production_api("{ viewr { organization { id } } }")
    assert "Did you mean" not in body["errors"][0]["message"]


async def test_development_serves_graphiql_and_suggestions(api: Api) -> None:
    page = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    body = await api("{ viewr { organization { id } } }")
    assert "Did you mean" in body["errors"][0]["message"]


async def test_no_mutations_over_get(api: Api) -> None:
    mutation = (
        "mutation { registerOrganization("
        'input: {name: "x", kind: BUYER, contactEmail: "a@b.co"}) { apiKey } }'
    )
    response = await api.client.get("/graphql", params={"query": mutation})
    assert response.status_code in (400, 405)
    assert await api.store.organizations.count_documents({}) == 0


async def test_revoked_keys_never_count_toward_the_cap(api: Api) -> None:
    """Finding 7: rotation (issue a new key, revoke the old one) works indefinitely."""
    _, key = await register(api, "VENDOR", "Rotator")
    for _ in range(20):
        created = (await api.data(CREATE_KEY, {"label": "rotated"}, key))["createApiKey"]
        assert created["userErrors"] == [], created
        listed = (await api.data(KEYS, key=created["apiKey"]))["viewer"]["apiKeys"]
        old_id = next(k["id"] for k in listed if k["revokedAt"] is None and k["id"] != created["key"]["id"])
        revoked = (await api.data(REVOKE_KEY, {"id": old_id}, created["apiKey"]))["revokeApiKey"]
        assert revoked["userErrors"] == [], revoked
        key = created["apiKey"]
    listed = (await api.data(KEYS, key=key))["viewer"]["apiKeys"]
    assert sum(k["revokedAt"] is None for k in listed) == 1
    # The cap still holds for live keys: 9 more make 10, the 11th is refused.
    for _ in range(9):
        assert (await api.data(CREATE_KEY, {"label": "spare"}, key))["createApiKey"]["userErrors"] == []
    refused = (await api.data(CREATE_KEY, {"label": "one too many"}, key))["createApiKey"]
    assert codes(refused) == ["INVALID_STATE"]


async def test_cors_allows_tracing_and_apollo_headers_and_exposes_ours(tight_api: Api) -> None:
    wanted = "authorization, content-type, x-request-id, traceparent, apollographql-client-name"
    preflight = await tight_api.client.options(
        "/graphql",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": wanted,
        },
    )
    assert preflight.status_code == 200, preflight.text
    response = await tight_api.client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Origin": "https://app.example", "X-Request-Id": "r-1"},
    )
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert {"content-disposition", "x-request-id"} <= exposed and response.headers["x-request-id"] == "r-1"
    # A page asking for a header nobody configured is refused at preflight.
    odd = await tight_api.client.options(
        "/graphql",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-evil",
        },
    )
    assert odd.status_code == 400


def test_cors_settings_take_comma_lists_or_json_and_normalize_origins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RFPMARKET_CORS_ORIGINS", "https://App.Example/, http://localhost:5173")
    monkeypatch.setenv("RFPMARKET_CORS_ALLOW_HEADERS", '["Authorization", "X-Custom"]')
    settings = Settings()
    assert settings.cors_origins == ["https://app.example", "http://localhost:5173"]
    assert settings.cors_allow_headers == ["Authorization", "X-Custom"]
    assert "X-Request-Id" in Settings(cors_origins=[]).cors_expose_headers


def test_a_bad_cors_value_stops_start_up_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RFPMARKET_CORS_ORIGINS", "app.example/path")
    with pytest.raises(SystemExit) as stopped:
        settings_or_exit()
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "RFPMARKET_CORS_ORIGINS" in lines[0] and "Traceback" not in lines[0]
