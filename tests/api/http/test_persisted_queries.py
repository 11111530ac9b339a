"""Automatic persisted queries (Apollo's APQ, urql's persistedExchange), stored in MongoDB so that every
API instance knows a query any instance registered."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from api.settings import Settings
from tests.conftest import Api, Clock, ServeApp
from tests.helpers import register

QUERY = "query Me { viewer { organization { name } } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
PERSISTED = {"persistedQuery": {"version": 1, "sha256Hash": HASH}}


def _codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors", [])]


async def _get(api: Api, extensions: dict[str, Any], key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    params = {"extensions": json.dumps(extensions), "operationName": "Me"}
    return await api.client.get("/graphql", params=params, headers=headers)


async def test_the_apollo_link_round_trip_is_shared_by_every_instance(
    api: Api, serve_app: ServeApp, settings: Settings, clock: Clock
) -> None:
    _, key = await register(api, "VENDOR", "Acme")
    auth = {"Authorization": f"Bearer {key}"}
    # 1. The link sends the hash alone: not known yet.
    missing = await api.client.post("/graphql", json={"extensions": PERSISTED}, headers=auth)
    assert missing.status_code == 200 and _codes(missing) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert missing.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert await api.store.db["persisted_queries"].count_documents({}) == 0
    # 2. It retries with hash and query: answered and registered.
    full = await api.client.post("/graphql", json={"query": QUERY, "extensions": PERSISTED}, headers=auth)
    assert full.json() == {"data": {"viewer": {"organization": {"name": "Acme"}}}}
    # 3. Another instance on the same database answers the hash alone, over GET as well.
    async with serve_app(settings, clock=clock) as other:
        by_hash = await _get(other, PERSISTED, key)
        assert by_hash.json() == {"data": {"viewer": {"organization": {"name": "Acme"}}}}
        posted = await other.client.post("/graphql", json={"extensions": PERSISTED}, headers=auth)
        assert posted.json() == full.json()


async def test_a_careless_or_hostile_client_stores_nothing(api: Api) -> None:
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    mismatch = await api.client.post("/graphql", json={"query": QUERY, "extensions": wrong})
    assert _codes(mismatch) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    invalid = "{ noSuchField }"
    junk = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(invalid.encode()).hexdigest()}}
    refused = await api.client.post("/graphql", json={"query": invalid, "extensions": junk})
    assert _codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    for extension in ({"version": 2, "sha256Hash": HASH}, {"version": 1, "sha256Hash": "../etc"}, "x"):
        odd = await api.client.post("/graphql", json={"extensions": {"persistedQuery": extension}})
        assert odd.status_code == 200 and _codes(odd) in (
            ["PERSISTED_QUERY_NOT_SUPPORTED"],
            ["BAD_USER_INPUT"],
        )
    assert await api.store.db["persisted_queries"].count_documents({}) == 0


async def test_a_persisted_mutation_still_needs_post(api: Api) -> None:
    mutation = 'mutation { registerOrganization(input: {name: "G", kind: VENDOR, contactEmail: "g@x.co"}) '
    mutation += "{ apiKey } }"
    digest = hashlib.sha256(mutation.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    await api.client.post("/graphql", json={"query": mutation, "extensions": persisted})
    over_get = await api.client.get("/graphql", params={"extensions": json.dumps(persisted)})
    assert over_get.status_code == 405
    assert await api.store.organizations.count_documents({"name": "G"}) == 1
