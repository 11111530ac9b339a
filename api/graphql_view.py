"""The GraphQL endpoint: strawberry's ASGI view with the request context and the schema extensions.

HTTP follows GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/), checked by the
graphql-http audit in tests/http_audit:
- Accept picks the response type: application/graphql-response+json when the client names it (at least
  as high as application/json); application/json when Accept is missing, only wildcards match, or the
  client prefers it; 406 when neither is acceptable.
- application/json: 200 for every GraphQL response, request errors included.
  application/graphql-response+json: 200 once execution started (even with field errors); 400 for request
  errors (syntax, validation, limits, variable coercion), with no `data` entry; 500 if our own failure
  kept the operation from running.
- Malformed HTTP requests (body not a JSON object, bad parameters) are 400, a POST that is not
  application/json (utf-8) is 415, a mutation over GET is 405: all with a GraphQL-shaped `errors` body.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult

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
            lambda: ParserCache(maxsize=256),
            # Validation runs (cached) before the limits' checks, which add their errors to its result.
            lambda: ValidationCache(maxsize=256),
            *limit_extensions(settings),
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
            viewer=viewer,
            market=market,
            loaders=RequestLoaders(market),
            request_id=request_id[:64],
            client_address=request.client.host if request.client else "",
        )
