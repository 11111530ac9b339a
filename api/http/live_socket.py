"""graphql-transport-ws as the HTTP endpoint speaks it (issue 15 beside main's client conventions):
automatic persisted queries work on a subscribe message as on a POST, and a subscription that does
not parse is answered with an `error` message carrying GRAPHQL_PARSE_FAILED (strawberry, with the
parser cache, would end it with a bare `complete`). Refusals concern the one operation: the socket and
its other subscriptions stay open.
"""

from __future__ import annotations

from typing import Any, cast

from graphql import GraphQLError, GraphQLSyntaxError, parse, validate
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from api.http.context import RequestContext
from api.http.persisted_queries import PersistedQueryError, resolve_persisted_query, trusted_document
from api.store.persisted_queries import PersistedQueries


class MarketTransportWS(BaseGraphQLTransportWSHandler[RequestContext, None]):
    @property
    def persisted(self) -> PersistedQueries:
        """The persisted queries every instance shares (the view's store: api/http/graphql_view.py)."""
        return PersistedQueries(cast(Any, self.view).state.store)

    @property
    def max_tokens(self) -> int:
        """The token budget a query may spend, the same as over HTTP."""
        return int(cast(Any, self.view).settings.max_query_tokens)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload: Any = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(message.get("id"), str):
            await super().handle_subscribe(message)  # strawberry's protocol refusal (4400)
            return
        try:
            payload["query"] = await self._query_of(payload)
        except GraphQLError as refusal:
            if message["id"] not in self.operations:  # a duplicate id is the protocol's 4409 below
                error = {"id": message["id"], "type": "error", "payload": [refusal.formatted]}
                await self.send_message(error)  # type: ignore[arg-type]
                return
        await super().handle_subscribe(message)

    async def _query_of(self, payload: dict[str, Any]) -> str:
        """The operation's text, from the message or the persisted queries; GraphQLError (with its
        code) for a hash unknown or not matching, or a text that does not parse."""
        query = payload.get("query")
        data = GraphQLRequestData(
            query=query if isinstance(query, str) else None,
            variables=None,
            operation_name=None,
            extensions=payload.get("extensions") if isinstance(payload.get("extensions"), dict) else None,
        )
        trusted: dict[str, str] | None = cast(Any, self.view).trusted
        try:
            if trusted is not None:  # trusted-documents mode holds on the socket as over HTTP
                trusted_document(trusted, data)
                registration = None
            else:
                registration = await resolve_persisted_query(self.persisted, data)
        except PersistedQueryError as refusal:
            raise refusal.error from refusal
        if data.query is None:
            raise GraphQLError("A subscribe message needs `query`", extensions={"code": "BAD_USER_INPUT"})
        try:
            document = parse(data.query, max_tokens=self.max_tokens)
        except GraphQLSyntaxError as error:
            raise GraphQLError(error.message, extensions={"code": "GRAPHQL_PARSE_FAILED"}) from error
        if registration is not None and not validate(self.schema._schema, document):  # type: ignore[attr-defined]
            # Stored only once it validates, as over HTTP; then a hash alone runs it on any instance.
            await self.persisted.remember(
                registration.sha256_hash, registration.query, self.context.market.ground.now()
            )
        return data.query
