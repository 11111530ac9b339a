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

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import ParserCache
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

import schema as graphql_schema
from api.http.auth import Unauthenticated, authenticate, authenticate_strictly, bearer_token
from api.http.context import RequestContext, RequestLoaders
from api.http.errors import MaskInternalErrors, with_code
from api.http.limits import limit_extensions
from api.http.live_socket import MarketTransportWS
from api.http.persisted_queries import PersistedQueryError, resolve_persisted_query, trusted_document
from api.observability import graphiql
from api.observability import wiring as observability
from api.services.market import MarketService
from api.settings import Settings, load_manifest
from api.store.database import Store
from api.store.persisted_queries import PersistedQueries

log = logging.getLogger("rfpmarket.errors")
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
RESPONSE_TYPES = (GRAPHQL_RESPONSE_JSON, APPLICATION_JSON)
REQUEST_PARAMETERS: dict[str, type] = {
    "query": str,
    "operationName": str,
    "variables": dict,
    "extensions": dict,
}


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    """(media range, q) for each entry of an Accept header; a malformed q makes its range unacceptable."""
    ranges = []
    for entry in accept.split(","):
        media_range, *parameters = (part.strip() for part in entry.split(";"))
        if not media_range:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media_range.lower(), quality if 0.0 <= quality <= 1.0 else 0.0))
    return ranges


def _specificity(media_range: str, media_type: str) -> int:
    """3 for the exact type, 2 for `type/*`, 1 for `*/*`, 0 when the range does not match."""
    if media_range == media_type:
        return 3
    if media_range == media_type.split("/")[0] + "/*":
        return 2
    return 1 if media_range == "*/*" else 0


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None when it accepts neither JSON type.

    Each type takes the q of the most specific range matching it (RFC 9110, 12.5.1). On a tie a named
    application/graphql-response+json wins; wildcards alone get application/json, which legacy clients
    sending `*/*` (or nothing) understand.
    """
    if accept is None or not accept.strip():
        return APPLICATION_JSON
    ranges = _media_ranges(accept)

    def rank(media_type: str) -> tuple[float, int, bool]:
        specificity, quality = max(((_specificity(r, media_type), q) for r, q in ranges), default=(0, 0.0))
        if not specificity:
            return 0.0, 0, False
        preferred = media_type == (GRAPHQL_RESPONSE_JSON if specificity == 3 else APPLICATION_JSON)
        return quality, specificity, preferred

    best = max(RESPONSE_TYPES, key=rank)
    return best if rank(best)[0] > 0 else None


def is_request_error(result: ExecutionResult) -> bool:
    """Failed before execution (syntax, validation, limits, variable coercion): no `data` entry at all.

    Field errors carry a path, so a `data: null` that a failed non-null root field left is not one.
    """
    errors = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)


def status_for(media_type: str, response: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> int:
    """application/json: 200 for any GraphQL response, as the spec asks (a 4xx in application/json could be
    any proxy's); application/graphql-response+json: the status tells request errors apart."""
    if media_type != GRAPHQL_RESPONSE_JSON or isinstance(response, list) or "data" in response:
        return 200
    internal = any(
        isinstance(error, dict) and (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
        for error in response.get("errors") or ()
    )
    return 500 if internal else 400


def require_json_body(content_type: str | None) -> None:
    """POST bodies must be application/json in utf-8 (the spec's only required request type)."""
    media_type, parameters = parse_content_type(content_type or "")
    charset = parameters.get("charset", "utf-8").lower()
    if media_type.lower() != APPLICATION_JSON or charset not in ("utf-8", "utf8"):
        raise HTTPException(415, "Send the GraphQL request as Content-Type: application/json (utf-8)")


def graphql_parameters(data: object) -> GraphQLRequestData:
    """The request's parameters, each of the type the spec requires (null allowed for all)."""
    if isinstance(data, list):
        raise HTTPException(400, "Batched requests are not supported: send one operation per request")
    if not isinstance(data, dict):
        raise HTTPException(400, "The request body must be a JSON object")
    for name, expected in REQUEST_PARAMETERS.items():
        value = data.get(name)
        if value is not None and not isinstance(value, expected):
            kind = "a string" if expected is str else "an object"
            raise HTTPException(400, f"The request parameter `{name}` must be {kind} or null")
    return GraphQLRequestData(
        query=data.get("query"),
        variables=data.get("variables"),
        operation_name=data.get("operationName"),
        extensions=data.get("extensions"),
    )


# The code of each HTTP-level refusal, so every error on every route carries `extensions.code`.
HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def error_response(error: HTTPException, request: Request) -> Response:
    """An HTTP-level refusal as a GraphQL response body: clients read `errors` whatever went wrong."""
    headers = None
    if error.status_code == 405:
        # A GET was refused for its mutation, which only POST can carry; other methods get both.
        headers = {"Allow": "POST" if request.method == "GET" else "GET, POST"}
    code = HTTP_ERROR_CODES.get(error.status_code, "BAD_REQUEST")
    body = {"errors": [{"message": error.reason, "extensions": {"code": code}}]}
    response = JSONResponse(body, error.status_code, headers)
    response.headers["content-type"] = negotiate(request.headers.get("accept")) or APPLICATION_JSON
    return response


def request_id_of(request: Request | WebSocket) -> str:
    """The client's X-Request-Id (at most 64 characters) or a fresh one, the same for the whole request."""
    state = request.scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = (request.headers.get("x-request-id") or uuid.uuid4().hex)[:64]
    request_id: str = state["request_id"]
    return request_id


def _json_errors(error: dict[str, Any], status: int, request: Request) -> Response:
    response = JSONResponse({"errors": [error]}, status)
    response.headers["content-type"] = negotiate(request.headers.get("accept")) or APPLICATION_JSON
    return response


def internal_error_response(request: Request) -> Response:
    """Logged at ERROR with the traceback (call it from an `except`), answered in the GraphQL shape."""
    request_id = request_id_of(request)
    log.error("request %s failed before execution", request_id, exc_info=True)
    error = {
        "message": f"Internal server error (request id {request_id})",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    }
    return _json_errors(error, 500, request)


def unauthenticated_response(message: str, request: Request) -> Response:
    """A sent key that names nobody: UNAUTHENTICATED, the word the exports use. 401 under
    application/graphql-response+json (a request error, no `data`); 200 under application/json,
    where the spec asks for 200 to any well-formed request and clients read `extensions.code`."""
    media_type = negotiate(request.headers.get("accept")) or APPLICATION_JSON
    status = 401 if media_type == GRAPHQL_RESPONSE_JSON else 200
    error = {"message": message, "extensions": {"code": "UNAUTHENTICATED"}}
    response = _json_errors(error, status, request)
    response.headers["www-authenticate"] = 'Bearer realm="rfpmarket", error="invalid_token"'
    return response


class AppState:
    """What the lifespan opens: the store and the market built on it."""

    store: Store
    market: MarketService


class MarketGraphQL(GraphQL[RequestContext, None]):
    # Persisted queries and parse errors on the socket as over HTTP (api/http/live_socket.py).
    graphql_transport_ws_handler_class = MarketTransportWS

    def __init__(self, state: AppState, settings: Settings) -> None:
        production = settings.production
        # Classes or factories: strawberry builds fresh extension instances for every request.
        extensions: list[Any] = [
            *observability.extensions(),  # operation metrics, access-line fields and traces
            lambda: MaskInternalErrors(hide_suggestions=production),
            lambda: ParserCache(maxsize=256),
            # The limits' linear checks run first; (cached) validation only for what they let through.
            *limit_extensions(settings),
        ]
        if production:
            extensions.append(DisableIntrospection)
        super().__init__(
            graphql_schema.build_schema(extensions),
            graphql_ide=None if production else "graphiql",
            allow_queries_via_get=True,
            # One protocol over the socket, and a socket that never says hello is closed soon.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
        )
        self.state = state
        self.settings = settings
        # Trusted-documents mode: the manifest, read once (settings checked it at start-up).
        self.trusted = load_manifest(settings.trusted_documents) if settings.trusted_documents else None

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page()  # served from the app's own copies, under a strict CSP (no CDN)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        market = self.state.market
        websocket = isinstance(request, WebSocket)
        if websocket:
            # A socket's key is checked in on_ws_connect, which refuses a bad one with 4403.
            viewer = await authenticate(market, request.headers)
        else:
            viewer = await authenticate_strictly(market, request.headers)
        return RequestContext(
            viewer=viewer,
            market=market,
            loaders=RequestLoaders(market, viewer),
            request_id=request_id_of(request),
            client_address=request.client.host if request.client else "",
            idempotency_key=request.headers.get("idempotency-key"),
            transport="websocket" if websocket else "http",
            credential=bearer_token(request.headers),
            connection_id=uuid.uuid4().hex if websocket else "",
        )

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        """Browsers cannot set headers on a WebSocket: the key may come in connection_init's payload
        ({"authorization": "Bearer <key>"}). A key that is given but unknown or revoked closes the
        socket (4403, graphql-transport-ws's refusal of connection_init); no key is anonymous."""
        params = context.connection_params or {}
        given = params.get("authorization") or params.get("Authorization")
        if given is None:
            if context.credential is not None and context.viewer is None:
                raise ConnectionRejectionError({"message": "invalid API key"})
            return None
        header = {"authorization": given if isinstance(given, str) else ""}
        token = bearer_token(header)
        viewer = await authenticate(self.state.market, header) if token else None
        if viewer is None:
            raise ConnectionRejectionError({"message": "invalid API key"})
        context.viewer, context.credential = viewer, token
        context.loaders = RequestLoaders(self.state.market, viewer)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                response = await self.run(request)
        except HTTPException as error:
            # strawberry would answer in text/plain; the spec's clients expect a JSON `errors` body.
            response = error_response(error, request)
        except Unauthenticated as error:
            response = unauthenticated_response(str(error), request)
        except TimeoutError:
            response = self._deadline_exceeded(request)
        except Exception:
            # What fails outside execution (authentication's database read, building the context) is
            # masked like any internal error, never a text/plain 500 without a request id.
            response = internal_error_response(request)
        # The X-Request-Id header is echoed on every route by api/observability/requests.py.
        await response(scope, receive, send)

    def _deadline_exceeded(self, request: Request) -> Response:
        seconds = self.settings.request_timeout_seconds
        log.warning("request %s exceeded the %gs deadline", request_id_of(request), seconds)
        message = f"The request did not complete within {seconds:g}s; it was stopped, try again later"
        extensions = {"code": "DEADLINE_EXCEEDED", "requestId": request_id_of(request)}
        return _json_errors({"message": message, "extensions": extensions}, 504, request)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET naming a persisted query by hash carries no `query` but is an operation, not a browser.
        return "extensions" not in request.query_params and super().should_render_graphql_ide(request)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # The negotiated type rides on the sub-response, the one object create_response is handed.
        sub_response.media_type = negotiate(request.headers.get("accept"))
        return sub_response

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        """GET query parameters or a JSON object body. Replaces strawberry's parser, which answers 500 to a
        body that is JSON but not an object; streaming transports and uploads are not enabled here."""
        if negotiate(request.headers.get("accept")) is None:
            raise HTTPException(406, f"Accept {GRAPHQL_RESPONSE_JSON} or {APPLICATION_JSON}")
        if request.method == "GET":
            return graphql_parameters(self.parse_query_params(request.query_params))
        require_json_body(request.content_type)
        return graphql_parameters(self.parse_json(await request.get_body()))

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return super().parse_json(data)
        except (UnicodeDecodeError, RecursionError) as error:
            # Invalid utf-8 and absurd nesting are malformed bodies, not server failures.
            raise HTTPException(400, "Unable to parse request body as JSON") from error

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        persisted = PersistedQueries(self.state.store)
        try:
            if self.trusted is not None:
                trusted_document(self.trusted, request_data)
                registration = None  # nothing is registered: the manifest is the whole list
            else:
                registration = await resolve_persisted_query(persisted, request_data)
        except PersistedQueryError as refusal:
            return ExecutionResult(data=None, errors=[refusal.error])
        result = await self._execute(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if registration is not None and not is_request_error(result):
            # Stored only once it passed validation and the limits: no junk for every instance to keep.
            await persisted.remember(
                registration.sha256_hash, registration.query, self.state.market.ground.now()
            )
        return result

    async def _execute(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as error:
            cause = error.__cause__
            if isinstance(cause, InvalidOperationTypeError):
                # The spec: a mutation over GET is 405 (Method Not Allowed), not a bad request.
                raise HTTPException(405, error.reason) from cause
            if isinstance(cause, CannotGetOperationTypeError):
                # An unknown or ambiguous operationName is a GraphQL request error, answered as one.
                extensions = {"code": "OPERATION_RESOLUTION_FAILURE"}
                return ExecutionResult(data=None, errors=[GraphQLError(error.reason, extensions=extensions)])
            raise

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        if result.errors:
            # Parse errors skip the schema extensions: every error gets its code here, whatever its origin.
            result.errors = [
                error if (error.extensions or {}).get("code") else with_code(error) for error in result.errors
            ]
        response = await super().process_result(request, result)
        if is_request_error(result):
            # The GraphQL spec: no `data` entry when the operation never started.
            response.pop("data", None)
        return response

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media_type = sub_response.media_type or APPLICATION_JSON
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = media_type
        if not sub_response.status_code:  # a resolver's explicit status stands
            response.status_code = status_for(media_type, response_data)
        return response
