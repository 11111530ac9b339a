"""Limits on what one GraphQL request may ask for: depth, aliases, tokens and cost.

Every check walks the document once, in time linear in its size: each fragment is analysed once and
its result memoized, so a chain of fragments that each spread the next one twice (`...F0 ...F0`)
costs as many steps as it has fragments, not 2^n. A fragment that spreads itself is refused.

Cost: every field costs 1, and a connection field multiplies the cost of what is under it by the page
size it asks for (`first`, from a literal, a variable, or the variable's default; else the default page
size), as GitHub and Saleor count it. So `rfps(first: 100) { edges { node { proposals(first: 100) { ... }
} } }` is refused before it runs. Fields that read a whole ranking, whatever the page size
(`rankStability`, and `rankedProposals` with what-if `weights`), cost WHOLE_RANKING_COST each: a fixed
price, since the ranking's size is unknown before execution; at the default limit a query may ask for
a few of them, never one per RFP of a page.

Tokens are counted by the parser (strawberry's MaxTokensLimiter), which stops at the limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import MaxTokensLimiter, SchemaExtension, ValidationCache
from strawberry.types.graphql import OperationType

from api.http.context import RequestContext
from api.services.organizations import RateLimit, address_bucket
from api.settings import Settings
from schema.common import DEFAULT_PAGE_SIZE

CONNECTION_FIELDS = frozenset({"rfps", "proposals", "rankedProposals", "auditEvents"})
# What a field reading the whole ranking (500 Dirichlet draws over every entry, or a re-rank of every
# entry) is priced at: a fifth of the default limit.
WHOLE_RANKING_COST = 5_000


@dataclass(frozen=True)
class Measure:
    """What a selection set asks for: its nesting depth, its aliases (with fragments expanded), its cost."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0
    # The part of `cost` the nearest enclosing connection does not multiply by its page size: what a
    # connection asks once (rankStability), not once per edge.
    unpaged: int = 0


class FragmentCycle(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f'Cannot spread fragment "{name}" within itself.')


class DocumentMeasure:
    """Measures one operation of a document, each fragment once. `visited` counts the nodes looked at."""

    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        defaults: Mapping[str, Any],
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.defaults = defaults
        self.memo: dict[str, Measure] = {}
        self.in_progress: set[str] = set()
        self.visited = 0

    def of(self, selection_set: SelectionSetNode | None) -> Measure:
        if selection_set is None:
            return Measure()
        depth = aliases = cost = unpaged = 0
        for selection in selection_set.selections:
            self.visited += 1
            if isinstance(selection, FieldNode):
                inner = self._field(selection)
            elif isinstance(selection, InlineFragmentNode):
                inner = self.of(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self._fragment(selection.name.value)
            else:  # pragma: no cover  (the grammar has no other selection)
                continue
            depth = max(depth, inner.depth)
            aliases += inner.aliases
            cost += inner.cost
            unpaged += inner.unpaged
        return Measure(depth, aliases, cost, unpaged)

    def _field(self, field: FieldNode) -> Measure:
        inner = self.of(field.selection_set)
        # As strawberry's QueryDepthLimiter counts: introspection fields and leaves add no depth.
        nested = field.selection_set is not None and not field.name.value.startswith("__")
        depth, aliases = inner.depth + 1 if nested else 0, inner.aliases + (field.alias is not None)
        whole_ranking = self._whole_ranking(field)
        if field.name.value in CONNECTION_FIELDS:
            paged = self._page_size(field) * (inner.cost - inner.unpaged)
            return Measure(depth, aliases, 1 + paged + inner.unpaged + whole_ranking)
        cost = 1 + inner.cost + whole_ranking
        return Measure(depth, aliases, cost, cost if whole_ranking else inner.unpaged)

    def _fragment(self, name: str) -> Measure:
        known = self.memo.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None:
            return Measure()  # validation reports the unknown fragment
        if name in self.in_progress:
            raise FragmentCycle(name)
        self.in_progress.add(name)
        measure = self.memo[name] = self.of(fragment.selection_set)
        self.in_progress.discard(name)
        return measure

    def _argument(self, field: FieldNode, name: str) -> tuple[bool, Any]:
        """(given, value) of an argument: a literal, a variable, or the variable's default."""
        for argument in field.arguments or ():
            if argument.name.value != name:
                continue
            node = argument.value
            if isinstance(node, VariableNode):
                variable = node.name.value
                if variable in self.variables:
                    return True, self.variables[variable]
                return variable in self.defaults, self.defaults.get(variable)
            if isinstance(node, NullValueNode):
                return True, None
            if isinstance(node, IntValueNode):
                return True, int(node.value)
            return True, node  # an object literal (weights)
        return False, None

    def _page_size(self, field: FieldNode) -> int:
        if field.name.value not in CONNECTION_FIELDS:
            return 1
        # A page is `first` or `last` items (whichever the client sends; both: the larger).
        sizes = [self._argument(field, name)[1] for name in ("first", "last")]
        given = [size for size in sizes if isinstance(size, int) and not isinstance(size, bool) and size > 0]
        return max(given) if given else DEFAULT_PAGE_SIZE

    def _whole_ranking(self, field: FieldNode) -> int:
        if field.name.value == "rankStability":
            return WHOLE_RANKING_COST
        if field.name.value == "rankedProposals":
            given, value = self._argument(field, "weights")
            return WHOLE_RANKING_COST if given and value is not None else 0
        return 0


def _literal(node: Any) -> Any:
    """A variable default's value as far as the cost needs it: integers, null, or 'something'."""
    if node is None or isinstance(node, NullValueNode):
        return None
    if isinstance(node, IntValueNode):
        return int(node.value)
    return node


def measure_operation(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> tuple[Measure, int]:
    """(measure, nodes visited); raises FragmentCycle."""
    defaults = {
        definition.variable.name.value: _literal(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }
    measure = DocumentMeasure(fragments, variables, defaults)
    return measure.of(operation.selection_set), measure.visited


def _refusal(message: str, limit: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "QUERY_TOO_COMPLEX", "limit": limit, **extensions})


class QueryLimiter(SchemaExtension):
    """Depth, aliases and cost in one linear pass, before validation (which a refused query skips)."""

    def __init__(self, max_depth: int, max_aliases: int, max_cost: int) -> None:
        self.max_depth = max_depth
        self.max_aliases = max_aliases
        self.max_cost = max_cost

    def on_validate(self) -> Iterator[None]:
        errors = self._check()
        if errors:
            # Strawberry answers with these errors instead of validating and executing the operation.
            self.execution_context.pre_execution_errors = errors
        yield

    def _check(self) -> list[GraphQLError]:
        context = self.execution_context
        document = context.graphql_document
        if document is None:
            return []
        operation = get_operation_ast(document, context.operation_name)
        if operation is None:
            return []
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        try:
            measure, _ = measure_operation(operation, fragments, context.variables or {})
        except FragmentCycle as cycle:
            return [_refusal(str(cycle), "fragments")]
        except RecursionError:
            return [_refusal(f"operation exceeds maximum operation depth of {self.max_depth}", "depth")]
        return self._errors(operation, measure)

    def _errors(self, operation: OperationDefinitionNode, measure: Measure) -> list[GraphQLError]:
        name = operation.name.value if operation.name else "anonymous"
        errors = []
        if measure.depth > self.max_depth:
            message = f"'{name}' exceeds maximum operation depth of {self.max_depth}"
            errors.append(_refusal(message, "depth", depth=measure.depth, max=self.max_depth))
        if measure.aliases > self.max_aliases:
            message = f"{measure.aliases} aliases found. Allowed: {self.max_aliases}"
            errors.append(_refusal(message, "aliases", aliases=measure.aliases, max=self.max_aliases))
        if measure.cost > self.max_cost:
            message = f"query cost {measure.cost} exceeds the limit of {self.max_cost}: ask for smaller pages"
            errors.append(_refusal(message, "cost", cost=measure.cost, max=self.max_cost))
        return errors


class HttpOnlyOperations(SchemaExtension):
    """Over the WebSocket only subscriptions run: queries and mutations are refused, so a socket never
    bypasses what HTTP enforces per request (deadline, write rate limits, the GET/POST rules)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        transport = getattr(context.context, "transport", "http")
        if transport == "websocket" and not context.pre_execution_errors:
            try:
                operation_type = context.operation_type
            except RuntimeError:
                operation_type = None
            if operation_type is not OperationType.SUBSCRIPTION:
                context.pre_execution_errors = [
                    GraphQLError(
                        "Only subscriptions run over the WebSocket: send queries and mutations over HTTP",
                        extensions={"code": "OPERATION_NOT_ALLOWED"},
                    )
                ]
        yield


class ValidationCacheAfterLimits(ValidationCache):
    """Strawberry's cached validation, skipped when a limit already refused the document: validating a
    hostile document is the expensive part the limits protect."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()


class WriteRateLimiter(SchemaExtension):
    """Mutations per window per client address, per calling organization and in total, counted in
    MongoDB (the `rate_limits` collection) so that every API instance shares the counts. Runs after
    validation: an invalid document costs nothing; a refused one never executes (RATE_LIMITED)."""

    def __init__(self, settings: Settings) -> None:
        window = settings.write_rate_window_seconds
        self.per_address = RateLimit(settings.write_rate_limit_per_address, window)
        self.per_organization = RateLimit(settings.write_rate_limit_per_organization, window)
        self.overall = RateLimit(settings.write_rate_limit_global, window)

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        if not context.pre_execution_errors and self._is_mutation():
            refusal = await self._refusal(context.context)
            if refusal is not None:
                context.pre_execution_errors = [GraphQLError(refusal, extensions={"code": "RATE_LIMITED"})]
        yield

    def _is_mutation(self) -> bool:
        try:
            return self.execution_context.operation_type is OperationType.MUTATION
        except RuntimeError:
            return False

    async def _refusal(self, request: RequestContext) -> str | None:
        market = request.market
        buckets = [(address_bucket("write", request.client_address), self.per_address, "this address")]
        if request.viewer is not None:
            buckets.append((f"write:org:{request.viewer.id}", self.per_organization, "this organization"))
        buckets.append(("write:all", self.overall, "all clients"))
        for bucket, limit, whom in buckets:
            if not await market.organizations.within_rate_limit(bucket, limit):
                return f"too many changes from {whom}; try again later"
        return None


def limit_extensions(settings: Settings) -> list[Any]:
    """Factories, so each request gets fresh extension instances; validation comes after them."""
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: QueryLimiter(settings.max_query_depth, settings.max_query_aliases, settings.max_query_cost),
        HttpOnlyOperations,
        lambda: ValidationCacheAfterLimits(maxsize=256),
        lambda: WriteRateLimiter(settings),
    ]
