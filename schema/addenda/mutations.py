"""Amendments: amendRfp (the buyer, while OPEN) and confirmProposal (a vendor, after an addendum)."""

from __future__ import annotations

import strawberry

from schema.addenda.inputs import AmendRfpInput
from schema.common import local_id
from schema.context import ContextInfo, context_of
from schema.proposals.inputs import ProposalIdInput
from schema.proposals.types import ProposalPayload
from schema.rfps.types import RfpPayload
from schema.scores.inputs import to_data


@strawberry.type
class AddendumMutation:
    @strawberry.mutation
    async def amend_rfp(self, info: ContextInfo, input: AmendRfpInput) -> RfpPayload:
        context = context_of(info)
        data = to_data(input)
        data.pop("rfpId", None)
        outcome = await context.market.addenda.amend_rfp(context.viewer, local_id(input.rfp_id, "Rfp"), data)
        return RfpPayload.of(outcome)

    @strawberry.mutation
    async def confirm_proposal(self, info: ContextInfo, input: ProposalIdInput) -> ProposalPayload:
        context = context_of(info)
        outcome = await context.market.addenda.confirm_proposal(
            context.viewer, local_id(input.proposal_id, "Proposal")
        )
        return ProposalPayload.of(outcome)
