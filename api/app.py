"""The Starlette application: /graphql, /healthz, /readyz, wired to MongoDB in the lifespan."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

from pymongo import monitoring
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from api.exports.routes import export_routes
from api.graphql_view import AppState, MarketGraphQL
from api.market import MarketService
from api.organizations import RateLimit
from api.rescore import rescore_at_start_up
from api.rules import utcnow
from api.settings import Settings
from api.store import Store, connect

log = logging.getLogger("rfpmarket")


class BodySizeLimit:
    """413 for bodies over the limit, judged by Content-Length and by what actually arrives."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse({"errors": [{"message": "request body too large"}]}, status_code=413)
    await response(scope, receive, send)


def create_app(
    settings: Settings,
    mongodb_uri: str,
    clock: Callable[[], datetime] = utcnow,
    listeners: Sequence[monitoring.CommandListener] = (),
) -> Starlette:
    state = AppState()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client = connect(mongodb_uri, listeners)
        state.store = Store(client, settings.db)
        limit = RateLimit(settings.register_rate_limit, settings.register_rate_window_seconds)
        state.market = MarketService(state.store, clock, register_limit=limit)
        await state.store.ensure_indexes()
        # Rankings never mix scoring versions: outdated scores are brought up to date before serving.
        await rescore_at_start_up(state.store)
        try:
            yield
        finally:
            await state.market.digests.close()  # finish the background refreshes before closing
            await client.close()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if await state.store.ping():
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "database unavailable"}, status_code=503)

    graphql = MarketGraphQL(state, settings)
    middleware = [Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *export_routes(state),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.market_state = state
    return app
