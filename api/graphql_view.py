"""The GraphQL endpoint: strawberry's ASGI view with the request context and the schema extensions."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.extensions.disable_introspection import DisableIntrospection

import schema as graphql_schema
from api.auth import authenticate
from api.context import RequestContext, RequestLoaders
from api.errors import MaskInternalErrors
from api.limits import limit_extensions
from api.market import MarketService
from api.settings import Settings
from api.store import Store


class AppState:
    """What the lifespan opens: the store and the market built on it."""

    store: Store
    market: MarketService


class MarketGraphQL(GraphQL[RequestContext, None]):
    def __init__(self, state: AppState, settings: Settings) -> None:
        production = settings.production
        # Classes or factories: strawberry builds fresh extension instances for every request.
        extensions: list[Any] = [
            lambda: MaskInternalErrors(hide_suggestions=production),
            *limit_extensions(settings),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ]
        if production:
            extensions.append(DisableIntrospection)
        super().__init__(
            graphql_schema.build_schema(extensions),
            graphql_ide=None if production else "graphiql",
            allow_queries_via_get=True,
        )
        self.state = state

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        market = self.state.market
        viewer = await authenticate(market, request.headers)
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        return RequestContext(
            viewer=viewer, market=market, loaders=RequestLoaders(market), request_id=request_id[:64]
        )
