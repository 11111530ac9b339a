"""Client conventions over HTTP: a bad key is UNAUTHENTICATED, and every error on every route carries
`extensions.code` in the words Apollo's clients know."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Api
from tests.helpers import REGISTER, register

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
VIEWER = "{ viewer { organization { id name } } }"


async def _post(api: Api, body: Any, key: str | None = None, accept: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if accept:
        headers["Accept"] = accept
    return await api.client.post("/graphql", json=body, headers=headers)


def _codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


async def test_an_unknown_key_is_unauthenticated_not_anonymous(api: Api) -> None:
    plain = await _post(api, {"query": VIEWER}, key="rfpm_forged")
    assert plain.status_code == 200 and _codes(plain) == ["UNAUTHENTICATED"]
    assert "data" not in plain.json()
    strict = await _post(api, {"query": VIEWER}, key="rfpm_forged", accept=GRAPHQL_RESPONSE_JSON)
    assert strict.status_code == 401 and _codes(strict) == ["UNAUTHENTICATED"]
    assert strict.headers["www-authenticate"].startswith("Bearer")


async def test_a_hostile_caller_cannot_register_or_write_with_a_forged_key(api: Api) -> None:
    variables = {"input": {"name": "Forger", "kind": "VENDOR", "contactEmail": "f@example.com"}}
    refused = await _post(api, {"query": REGISTER, "variables": variables}, key="rfpm_forged")
    assert _codes(refused) == ["UNAUTHENTICATED"]
    assert await api.store.organizations.count_documents({"name": "Forger"}) == 0


async def test_no_key_stays_anonymous_where_that_is_allowed(api: Api) -> None:
    assert (await api.data(VIEWER)) == {"viewer": None}
    _, key = await register(api, "VENDOR", "Keyless Start")  # registration needs no key
    assert (await api.data(VIEWER, key=key))["viewer"]["organization"]["name"] == "Keyless Start"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{ viewer { "}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ noSuchField }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            {"query": "query($n: Int!) { rfps(first: $n) { totalCount } }", "variables": {"n": "ten"}},
            "BAD_USER_INPUT",
        ),
        ({"query": "query($n: Int!) { rfps(first: $n) { totalCount } }"}, "BAD_USER_INPUT"),
        ({"query": "{ a: __typename } { b: __typename }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": "query A { __typename }", "operationName": "B"}, "OPERATION_RESOLUTION_FAILURE"),
        ({"query": "{ " + "__typename " * 3000 + "}"}, "QUERY_TOO_COMPLEX"),
    ],
)
async def test_request_errors_carry_a_code(api: Api, body: dict[str, Any], code: str) -> None:
    for accept in (None, GRAPHQL_RESPONSE_JSON):
        response = await _post(api, body, accept=accept)
        assert set(_codes(response)) == {code}, response.json()
        assert response.status_code == (400 if accept else 200)


async def test_http_refusals_carry_a_code(api: Api) -> None:
    not_json = await api.client.post("/graphql", content=b"query", headers={"content-type": "text/plain"})
    assert not_json.status_code == 415 and _codes(not_json) == ["UNSUPPORTED_MEDIA_TYPE"]
    not_object = await api.client.post("/graphql", json=[1, 2])
    assert not_object.status_code == 400 and _codes(not_object) == ["BAD_REQUEST"]
    mutation_over_get = await api.client.get("/graphql", params={"query": "mutation { __typename }"})
    assert mutation_over_get.status_code == 405 and _codes(mutation_over_get) == ["METHOD_NOT_ALLOWED"]
    unacceptable = await api.client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"accept": "text/html"}
    )
    assert unacceptable.status_code == 406 and _codes(unacceptable) == ["NOT_ACCEPTABLE"]


async def test_export_errors_have_the_graphql_shape(api: Api) -> None:
    response = await api.client.get(
        "/exports/rfps/x/ranking.csv", headers={"Authorization": "Bearer rfpm_forged"}
    )
    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {"message": response.json()["errors"][0]["message"], "extensions": {"code": "UNAUTHENTICATED"}}
        ]
    }
