"""Query root: reads, each authorized by the market (what a caller may not see reads as null)."""

from __future__ import annotations

import strawberry

from market.vocabulary import RfpStatus
from schema.common import Node, client_error, from_global_id, local_id, page_size
from schema.inputs import ProposalInput, to_data
from schema.types import (
    ContextInfo,
    Organization,
    Proposal,
    ProposalScore,
    Rfp,
    RfpConnection,
    Viewer,
    _context,
    remember,
)


@strawberry.type
class Query:
    @strawberry.field
    async def node(self, info: ContextInfo, id: strawberry.ID) -> Node | None:
        parsed = from_global_id(id)
        if parsed is None:
            return None
        type_name, key = parsed
        context = _context(info)
        if type_name == "Rfp":
            rfp = await context.market.get_rfp(context.viewer, key)
            return Rfp.of(remember(info, rfp)) if rfp else None
        if type_name == "Proposal":
            proposal = await context.market.get_proposal(context.viewer, key)
            return Proposal.of(proposal) if proposal else None
        if type_name == "Organization":
            organization = await context.market.get_organization(context.viewer, key)
            return Organization.of(organization) if organization else None
        return None

    @strawberry.field
    def viewer(self, info: ContextInfo) -> Viewer | None:
        viewer = _context(info).viewer
        return Viewer(record=viewer, organization=Organization.of(viewer)) if viewer else None

    @strawberry.field
    async def rfp(self, info: ContextInfo, id: strawberry.ID) -> Rfp | None:
        context = _context(info)
        record = await context.market.get_rfp(context.viewer, local_id(id, "Rfp"))
        return Rfp.of(remember(info, record)) if record else None

    @strawberry.field
    async def rfps(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        status: RfpStatus | None = None,
    ) -> RfpConnection:
        context = _context(info)
        page = await context.market.list_rfps(context.viewer, page_size(first), after, status)
        for _, record in page.items:
            remember(info, record)
        return RfpConnection.of(page)

    @strawberry.field
    async def score_preview(
        self, info: ContextInfo, rfp_id: strawberry.ID, proposal: ProposalInput
    ) -> ProposalScore:
        """What-if: scores a proposal against an RFP and stores nothing."""
        context = _context(info)
        outcome = await context.market.score_preview(
            context.viewer, local_id(rfp_id, "Rfp"), to_data(proposal)
        )
        if outcome.value is None:
            error = outcome.errors[0]
            raise client_error(error.message, list(error.field or ()), error.code.value)
        return ProposalScore.of(outcome.value)
