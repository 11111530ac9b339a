"""registerOrganization, API keys and `viewer`."""

from __future__ import annotations

from tests.conftest import Api
from tests.helpers import REGISTER, codes, register

VIEWER = "{ viewer { organization { id name kind } } }"


async def test_register_returns_a_key_that_authenticates(api: Api) -> None:
    organization_id, key = await register(api, "VENDOR", "Acme Support")
    assert key.startswith("rfpm_") and len(key) > 40
    data = await api.data(VIEWER, key=key)
    assert data["viewer"]["organization"] == {"id": organization_id, "name": "Acme Support", "kind": "VENDOR"}


async def test_only_a_hash_of_the_key_is_stored(api: Api) -> None:
    _, key = await register(api, "BUYER")
    doc = await api.store.organizations.find_one({})
    assert doc is not None
    assert key not in str(doc)
    assert len(doc["apiKeys"][0]["hash"]) == 64


async def test_anonymous_and_unknown_keys_have_no_viewer(api: Api) -> None:
    assert (await api.data(VIEWER))["viewer"] is None
    forged = await api(VIEWER, key="rfpm_not-a-real-key")
    assert [error["extensions"]["code"] for error in forged["errors"]] == ["UNAUTHENTICATED"]


async def test_invalid_registration_names_the_field_and_writes_nothing(api: Api) -> None:
    data = await api.data(
        REGISTER, {"input": {"name": "  ", "kind": "BUYER", "contactEmail": "ops@example.com"}}
    )
    payload = data["registerOrganization"]
    assert codes(payload) == ["INVALID"]
    assert payload["userErrors"][0]["field"] == ["input", "name"]
    assert payload["apiKey"] is None
    data = await api.data(
        REGISTER, {"input": {"name": "Acme", "kind": "BUYER", "contactEmail": "not-an-email"}}
    )
    assert data["registerOrganization"]["userErrors"][0]["field"] == ["input", "contactEmail"]
    data = await api.data(
        REGISTER, {"input": {"name": "Acme\x00", "kind": "BUYER", "contactEmail": "a@b.co"}}
    )
    assert data["registerOrganization"]["userErrors"][0]["field"] == ["input", "name"]
    assert await api.store.organizations.count_documents({}) == 0
