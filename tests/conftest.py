"""One SecantusDB server per test session (real MongoDB wire protocol over TCP), a fresh database
per test, and the real ASGI app driven through HTTP by httpx."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx
import pytest
from pymongo import monitoring
from starlette.applications import Starlette

from api.embedded import EmbeddedDatabase
from api.http.app import create_app
from api.services.ground import utcnow
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


class MakeApp(Protocol):
    """The one app factory of the tests: the real app (create_app) on the session's database, or on
    `uri` for a test that brings a database of its own."""

    def __call__(
        self,
        settings: Settings,
        *,
        uri: str | None = None,
        clock: Callable[[], datetime] | None = None,
        listeners: Sequence[monitoring.CommandListener] = (),
    ) -> Starlette: ...


@pytest.fixture(scope="session")
def make_app(database_server: EmbeddedDatabase) -> MakeApp:
    def make(
        settings: Settings,
        *,
        uri: str | None = None,
        clock: Callable[[], datetime] | None = None,
        listeners: Sequence[monitoring.CommandListener] = (),
    ) -> Starlette:
        return create_app(settings, uri or database_server.uri, clock=clock or utcnow, listeners=listeners)

    return make


class ServeApp(Protocol):
    """An app of make_app served over ASGI for as long as the context lasts, its database dropped
    afterwards."""

    def __call__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] | None = None,
        listeners: Sequence[monitoring.CommandListener] = (),
        peer: str | None = None,
        base_url: str = "http://testserver",
    ) -> AbstractAsyncContextManager[Api]: ...


@pytest.fixture
def serve_app(make_app: MakeApp) -> ServeApp:
    @contextlib.asynccontextmanager
    async def serve(
        settings: Settings,
        *,
        clock: Callable[[], datetime] | None = None,
        listeners: Sequence[monitoring.CommandListener] = (),
        peer: str | None = None,
        base_url: str = "http://testserver",
    ) -> AsyncIterator[Api]:
        app = make_app(settings, clock=clock, listeners=listeners)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=(peer, 4000) if peer else ("127.0.0.1", 123))
            async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
                yield Api(client, app.state.market_state.market)
                await app.state.market_state.store.client.drop_database(settings.db)

    return serve


@pytest.fixture
async def api(serve_app: ServeApp, settings: Settings, clock: Clock) -> AsyncIterator[Api]:
    async with serve_app(settings, clock=clock) as served:
        yield served
