"""The Relay `node` and `nodes` root fields: any domain's node by its global id. The one place that
knows every node type; a new node type adds its branch here."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.clarifications.types import Clarification
from schema.common import (
    MAX_PAGE_SIZE,
    Node,
    client_error,
    from_global_id,
)
from schema.context import ContextInfo, context_of
from schema.organizations.types import Organization
from schema.rfps.types import Proposal, Rfp, remember

MAX_NODES = MAX_PAGE_SIZE


async def _node(
    info: ContextInfo, id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")]
) -> Node | None:
    return await resolve_node(info, id)


async def _nodes(
    info: ContextInfo,
    ids: Annotated[list[strawberry.ID], strawberry.argument(description=f"Global ids, at most {MAX_NODES}.")],
) -> list[Node | None]:
    if len(ids) > MAX_NODES:
        raise client_error(f"ids may name at most {MAX_NODES} objects", ["ids"])
    return list(await asyncio.gather(*(resolve_node(info, each) for each in ids)))


@strawberry.type
class NodeQuery:
    node: Node | None = strawberry.field(
        resolver=_node,
        description="Any object by its global id; null when the id is unknown, malformed or not visible "
        "to the caller (one answer for all three, so nobody learns what exists).",
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=_nodes,
        description=f"Objects by their global ids, in the order of `ids`, null where `node` would be "
        f"null. At most {MAX_NODES} ids per call (BAD_USER_INPUT beyond).",
    )


async def resolve_node(info: ContextInfo, id: str) -> Node | None:
    """The object a global id names, when the caller may see it; None otherwise."""
    parsed = from_global_id(id)
    if parsed is None:
        return None
    type_name, key = parsed
    context = context_of(info)
    if type_name == "Rfp":
        rfp = await context.market.ground.get_rfp(context.viewer, key)
        return Rfp.of(remember(info, rfp)) if rfp else None
    if type_name == "Proposal":
        proposal = await context.market.ground.get_proposal(context.viewer, key)
        return Proposal.of(proposal) if proposal else None
    if type_name == "Organization":
        organization = await context.market.organizations.get_organization(context.viewer, key)
        return Organization.of(organization) if organization else None
    if type_name == "Clarification":
        found = await context.market.clarifications.get_clarification(context.viewer, key)
        return Clarification.of(found) if found else None
    return None
