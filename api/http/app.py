"""The Starlette application: /graphql, /healthz, /readyz, wired to MongoDB in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
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
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.http.errors import log_client_errors_in_one_line
from api.http.export_routes import export_routes
from api.http.graphql_view import AppState, MarketGraphQL, request_id_of
from api.observability import wiring as observability
from api.observability.metrics import CommandMetrics
from api.services.ground import utcnow
from api.services.live import LiveLimits
from api.services.market import MarketService
from api.services.organizations import RateLimit
from api.services.rescore import rescore_at_start_up
from api.services.webhooks import WebhookSettings
from api.settings import Settings, normalize_origin
from api.store.database import DIGEST_FIGURES, Store, connect
from api.store.persisted_queries import PersistedQueries
from api.store.rankings import migrate_digests
from api.store.webhooks import ensure_webhook_indexes

log = logging.getLogger("rfpmarket")
READY_TIMEOUT_SECONDS = 0.8


class BodySizeLimit:
    """413 for bodies over the limit, judged by Content-Length and by what actually arrives."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.app(scope, self._limited_messages(receive, send), send)
            return
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

    def _limited_messages(self, receive: Receive, send: Send) -> Receive:
        """The same limit for each WebSocket message: an oversized one closes the socket with 1009
        (message too big), and the application sees a disconnect instead of the message."""

        async def limited_receive() -> Any:
            message = await receive()
            if message["type"] == "websocket.receive":
                size = len((message.get("text") or "").encode()) + len(message.get("bytes") or b"")
                if size > self.max_bytes:
                    await send({"type": "websocket.close", "code": 1009, "reason": "message too big"})
                    return {"type": "websocket.disconnect", "code": 1009}
            return message

        return limited_receive


class _BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    body = {"errors": [{"message": "request body too large", "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}
    response = JSONResponse(body, status_code=413)
    await response(scope, receive, send)


async def _internal_error(request: Request, error: Exception) -> Response:
    request_id = request_id_of(request)
    log.error("request %s failed", request_id, exc_info=error)
    body = {
        "message": f"Internal server error (request id {request_id})",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    }
    return JSONResponse({"errors": [body]}, status_code=500)


SHUTDOWN_STEP_SECONDS = 5.0


async def _bounded(step: Awaitable[None], what: str) -> None:
    """Awaits one shutdown step for at most SHUTDOWN_STEP_SECONDS, then moves on."""
    try:
        await asyncio.wait_for(step, SHUTDOWN_STEP_SECONDS)
    except TimeoutError:
        log.warning("shutdown: %s took longer than %s s; moving on", what, SHUTDOWN_STEP_SECONDS)


def create_app(
    settings: Settings,
    mongodb_uri: str,
    clock: Callable[[], datetime] = utcnow,
    listeners: Sequence[monitoring.CommandListener] = (),
) -> Starlette:
    state = AppState()
    log_client_errors_in_one_line()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client = connect(mongodb_uri, [*listeners, *observability.command_listeners()])
        state.store = Store(client, settings.db)
        # The live feed's and webhook dispatcher's own client: a request's commands are its own.
        # Counted in the command metrics, not traced: a poll every second would start a trace each.
        background_client = connect(mongodb_uri, [CommandMetrics()])
        window = settings.register_rate_window_seconds
        state.market = MarketService(
            state.store,
            clock,
            register_limit=RateLimit(settings.register_rate_limit, window),
            register_global_limit=RateLimit(settings.register_rate_limit_global, window),
            webhook_settings=WebhookSettings(
                settings.production,
                settings.webhook_max_attempts,
                settings.webhook_retry_base_seconds,
                settings.webhook_poll_seconds,
            ),
            live_limits=LiveLimits(
                settings.max_subscriptions_per_connection,
                settings.max_subscriptions_per_instance,
                settings.subscription_queue_size,
                settings.subscription_recheck_seconds,
            ),
            background_store=Store(background_client, settings.db),
        )
        await state.store.ensure_indexes()
        await PersistedQueries(state.store).ensure_indexes()
        # Rankings never mix scoring versions: outdated scores are brought up to date before serving.
        await rescore_at_start_up(state.store)
        await ensure_webhook_indexes(state.store)
        await state.market.feed.start()  # the instance's one change stream, open before serving
        await state.market.dispatcher.start()  # webhook deliveries: recorded from it, then sent
        # Cost figures (totals, floor, ceiling) for digests older than them: once, not a walk of
        # every RFP per start.
        store = state.store
        await store.run_once(DIGEST_FIGURES, lambda: migrate_digests(store))
        try:
            yield
        finally:
            # Every step bounded: a database that stopped answering must not hold shutdown forever.
            await state.market.dispatcher.close()
            await state.market.feed.close()
            await _bounded(state.market.digests.close(), "the ranking refreshes")  # finish them first
            await _bounded(background_client.close(), "closing the background database client")
            await _bounded(client.close(), "closing the database client")

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        # A load balancer's probe needs an answer, not a wait for server selection: bounded ping.
        if await state.store.ping(READY_TIMEOUT_SECONDS):
            return JSONResponse({"status": "ready"})
        return JSONResponse(
            {"status": "database unavailable", "timeoutSeconds": READY_TIMEOUT_SECONDS}, status_code=503
        )

    graphql = MarketGraphQL(state, settings)
    middleware = [Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)]
    if settings.trusted_proxies:
        # Only these peers may name the client in X-Forwarded-For (run uvicorn with --no-proxy-headers,
        # whose default would trust any local peer): the rate limits count the real client.
        middleware.insert(0, Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies))
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                # Normalized again: settings built in code (model_copy) skip the validators.
                allow_origins=[normalize_origin(origin) for origin in settings.cors_origins],
                allow_methods=["GET", "POST"],
                allow_headers=settings.cors_allow_headers,
                expose_headers=settings.cors_expose_headers,
            )
        )
    # Outermost: every response, a 413 included, carries X-Request-Id and is logged and measured.
    middleware.insert(0, observability.middleware())
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *export_routes(state, settings.public_url),
            *observability.routes(settings),  # /metrics and GraphiQL's assets
        ],
        middleware=middleware,
        lifespan=lifespan,
        # Whatever escapes a route (the exports' authentication on a failing database, say) is answered
        # in the GraphQL error shape with a request id, never as a text/plain 500.
        exception_handlers={Exception: _internal_error},
    )
    app.state.market_state = state
    return app
