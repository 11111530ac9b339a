"""The Relay `node` root field: any domain's node by its global id. The one place that knows
every node type; a new node type adds its branch here."""

from __future__ import annotations

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.clarifications.types import Clarification
from schema.common import (
    Node,
    from_global_id,
)
from schema.context import ContextInfo, context_of
from schema.organizations.types import Organization
from schema.rfps.types import Proposal, Rfp, remember


@strawberry.type
class NodeQuery:
    @strawberry.field
    async def node(self, info: ContextInfo, id: strawberry.ID) -> Node | None:
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
