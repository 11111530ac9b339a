"""Issue 10, finding 8: the client address comes from a trusted proxy only, and writes are limited per
address, per organization and overall, counted in MongoDB."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from api.settings import Settings
from tests.conftest import Api, Clock, ServeApp
from tests.helpers import REGISTER, codes, register

CREATE_KEY = 'mutation { createApiKey(input: {label: "x"}) { apiKey userErrors { code } } }'
LimitedApi = Callable[..., Any]


@asynccontextmanager
async def limited_api(
    serve_app: ServeApp,
    settings: Settings,
    clock: Clock,
    peer: str = "127.0.0.1",
    **limits: Any,
) -> AsyncIterator[Api]:
    async with serve_app(settings.model_copy(update=limits), clock=clock, peer=peer) as served:
        yield served


async def _register_from(api: Api, forwarded_for: str) -> list[str]:
    # A fresh name each time: names are unique, and the limit is what is tested here.
    name = f"Rotating {uuid.uuid4().hex[:8]}"
    variables = {"input": {"name": name, "kind": "VENDOR", "contactEmail": "r@example.com"}}
    response = await api.client.post(
        "/graphql",
        json={"query": REGISTER, "variables": variables},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return codes(response.json()["data"]["registerOrganization"])


async def test_forwarded_for_is_ignored_without_a_trusted_proxy(
    serve_app: ServeApp, settings: Settings, clock: Clock
) -> None:
    async with limited_api(serve_app, settings, clock, register_rate_limit=3) as api:
        results = [await _register_from(api, f"198.51.100.{index}") for index in range(5)]
    assert results == [[], [], [], ["RATE_LIMITED"], ["RATE_LIMITED"]]


async def test_a_trusted_proxy_names_the_client(
    serve_app: ServeApp, settings: Settings, clock: Clock
) -> None:
    limits = {"register_rate_limit": 3, "trusted_proxies": ["10.0.0.0/8"]}
    async with limited_api(serve_app, settings, clock, peer="10.1.2.3", **limits) as api:
        rotated = [await _register_from(api, f"198.51.100.{index}") for index in range(5)]
        same = [await _register_from(api, "203.0.113.7") for _ in range(4)]
        # A client cannot prepend its own entry: the proxy's (last) hop is the one believed.
        spoofed = await _register_from(api, "198.51.100.99, 203.0.113.7")
    assert rotated == [[]] * 5
    assert same == [[], [], [], ["RATE_LIMITED"]] and spoofed == ["RATE_LIMITED"]


async def test_registrations_are_limited_overall(
    serve_app: ServeApp, settings: Settings, clock: Clock
) -> None:
    limits = {"register_rate_limit_global": 2, "trusted_proxies": ["10.0.0.0/8"]}
    async with limited_api(serve_app, settings, clock, peer="10.1.2.3", **limits) as api:
        results = [await _register_from(api, f"198.51.100.{index}") for index in range(3)]
        assert await api.store.organizations.count_documents({}) == 2
    assert results == [[], [], ["RATE_LIMITED"]]


def _rate_limited(body: dict[str, Any]) -> bool:
    return body.get("data") is None and [e["extensions"]["code"] for e in body["errors"]] == ["RATE_LIMITED"]


async def test_writes_are_limited_per_organization(
    serve_app: ServeApp, settings: Settings, clock: Clock
) -> None:
    async with limited_api(serve_app, settings, clock, write_rate_limit_per_organization=2) as api:
        _, first = await register(api, "VENDOR", "First")
        _, second = await register(api, "VENDOR", "Second")
        assert [codes((await api.data(CREATE_KEY, key=first))["createApiKey"]) for _ in range(2)] == [[], []]
        refused = await api(CREATE_KEY, key=first)
        assert _rate_limited(refused), refused
        # Another organization, and reads, are not affected; the refused write did not run.
        assert "errors" not in await api(CREATE_KEY, key=second)
        assert "errors" not in await api("{ viewer { organization { id } } }", key=first)
        keys = await api.data("{ viewer { apiKeys { id } } }", key=first)
        assert len(keys["viewer"]["apiKeys"]) == 3
        clock.advance(seconds=settings.write_rate_window_seconds)
        assert "errors" not in await api(CREATE_KEY, key=first)


async def test_writes_are_limited_per_address_and_overall(
    serve_app: ServeApp, settings: Settings, clock: Clock
) -> None:
    async with limited_api(serve_app, settings, clock, write_rate_limit_per_address=3) as api:
        _, key = await register(api, "VENDOR", "Busy")  # a write too
        assert "errors" not in await api(CREATE_KEY, key=key)
        assert "errors" not in await api(CREATE_KEY, key=key)
        assert _rate_limited(await api(CREATE_KEY, key=key))
    async with limited_api(serve_app, settings, clock, write_rate_limit_global=2) as api:
        await register(api, "VENDOR", "One")
        _, key = await register(api, "VENDOR", "Two")
        assert _rate_limited(await api(CREATE_KEY, key=key))
