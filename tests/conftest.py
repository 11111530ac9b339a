"""One SecantusDB server per test session (real MongoDB wire protocol over TCP), a fresh database
per test, and the real ASGI app driven through HTTP by httpx."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.embedded import EmbeddedDatabase
from api.http.app import create_app
from api.services.market import MarketService
from api.settings import Settings
from api.store.database import Store


class Clock:
    """The service's notion of now, moved forward by tests that need a deadline to pass."""

    def __init__(self) -> None:
        self.current = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture(scope="session")
def database_server() -> Iterator[EmbeddedDatabase]:
    server = EmbeddedDatabase(None)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings() -> Settings:
    return Settings(db=f"test_{uuid.uuid4().hex[:12]}", mongodb_uri=None)


class Api:
    """A GraphQL client over real HTTP (ASGI) with the app's market at hand for assertions."""

    def __init__(self, client: httpx.AsyncClient, market: MarketService) -> None:
        self.client = client
        self.market = market
        self.store: Store = market.store

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None, key: str | None = None) -> Any:
        body = await self(query, variables, key)
        assert "errors" not in body, body
        return body["data"]


@pytest.fixture
async def api(database_server: EmbeddedDatabase, settings: Settings, clock: Clock) -> AsyncIterator[Api]:
    app = create_app(settings, database_server.uri, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            state = app.state.market_state
            yield Api(client, state.market)
            await state.store.client.drop_database(settings.db)
