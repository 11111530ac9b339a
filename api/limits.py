"""Limits on what one GraphQL request may ask for: depth, aliases, tokens and cost.

Cost: every field costs 1, and a connection field multiplies the cost of what is under it by the page
size it asks for (`first`, or the default page size), as GitHub and Saleor count it. So
`rfps(first: 100) { edges { node { proposals(first: 100) { ... } } } }` is refused before it runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension

from api.settings import Settings
from schema.common import DEFAULT_PAGE_SIZE

CONNECTION_FIELDS = frozenset({"rfps", "proposals", "rankedProposals"})


class QueryCost:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]) -> None:
        self.fragments = fragments
        self.variables = variables

    def of(self, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset()) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 + self._page_size(selection) * self.of(selection.selection_set, seen)
            elif isinstance(selection, InlineFragmentNode):
                total += self.of(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:  # cycles are left to validation
                    total += self.of(fragment.selection_set, seen | {name})
        return total

    def _page_size(self, field: FieldNode) -> int:
        if field.name.value not in CONNECTION_FIELDS:
            return 1
        for argument in field.arguments or ():
            if argument.name.value != "first":
                continue
            value: Any = None
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value)
            if isinstance(value, int) and value > 0:
                return value
        return DEFAULT_PAGE_SIZE


class QueryCostLimiter(SchemaExtension):
    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_validate(self) -> Iterator[None]:
        spent = self._cost()
        if spent > self.max_cost:
            # Strawberry answers with these errors instead of executing the operation.
            self.execution_context.pre_execution_errors = [
                *(self.execution_context.pre_execution_errors or []),
                GraphQLError(
                    f"query cost {spent} exceeds the limit of {self.max_cost}: ask for smaller pages",
                    extensions={"code": "QUERY_TOO_COMPLEX", "cost": spent, "limit": self.max_cost},
                ),
            ]
        yield

    def _cost(self) -> int:
        document = self.execution_context.graphql_document
        if document is None:
            return 0
        definitions = document.definitions
        fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        cost = QueryCost(fragments, self.execution_context.variables or {})
        operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
        return max((cost.of(operation.selection_set) for operation in operations), default=0)


def limit_extensions(settings: Settings) -> list[Any]:
    """Factories, so each request gets fresh extension instances."""
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_query_aliases),
        lambda: QueryCostLimiter(max_cost=settings.max_query_cost),
    ]
