"""Amendments: amendRfp (the buyer, while OPEN) and confirmProposal (a vendor, after an addendum)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.addenda.inputs import AmendRfpInput
from schema.common import INPUT, described_mutation, local_id
from schema.context import ContextInfo, context_of
from schema.proposals.inputs import ProposalIdInput
from schema.proposals.types import ProposalPayload
from schema.rfps.types import RfpPayload
from schema.scores.inputs import to_data


@strawberry.type
class AddendumMutation:
    @described_mutation(
        description="The buyer amends an OPEN RFP with a numbered addendum. Scoring changes rescore every "
        "proposal; changes to what is bought ask vendors to confirm; the deadline only moves later."
    )
    async def amend_rfp(self, info: ContextInfo, input: Annotated[AmendRfpInput, INPUT]) -> RfpPayload:
        context = context_of(info)
        data = to_data(input)
        data.pop("rfpId", None)
        outcome = await context.market.addenda.amend_rfp(context.viewer, local_id(input.rfp_id, "Rfp"), data)
        return RfpPayload.of(outcome)

    @described_mutation(
        description="The vendor confirms its proposal still stands after an addendum asked it to "
        "(needsConfirmation)."
    )
    async def confirm_proposal(
        self, info: ContextInfo, input: Annotated[ProposalIdInput, INPUT]
    ) -> ProposalPayload:
        context = context_of(info)
        outcome = await context.market.addenda.confirm_proposal(
            context.viewer, local_id(input.proposal_id, "Proposal")
        )
        return ProposalPayload.of(outcome)
