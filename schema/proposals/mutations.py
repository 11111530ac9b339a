"""Proposal writes, the award included (it settles every proposal of the RFP)."""

from __future__ import annotations

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    local_id,
)
from schema.context import ContextInfo, context_of, idempotency_key
from schema.proposals.inputs import (
    AwardProposalInput,
    ProposalIdInput,
    ReviseProposalInput,
    SubmitProposalInput,
)
from schema.proposals.types import ProposalPayload
from schema.rfps.types import RfpPayload
from schema.scores.inputs import to_data


@strawberry.type
class ProposalMutation:
    @strawberry.mutation
    async def submit_proposal(self, info: ContextInfo, input: SubmitProposalInput) -> ProposalPayload:
        context = context_of(info)
        outcome = await context.market.proposals.submit_proposal(
            context.viewer,
            local_id(input.rfp_id, "Rfp"),
            to_data(input.proposal),
            idempotency_key(input.idempotency_key, context),
        )
        return ProposalPayload.of(outcome)

    @strawberry.mutation
    async def revise_proposal(self, info: ContextInfo, input: ReviseProposalInput) -> ProposalPayload:
        context = context_of(info)
        outcome = await context.market.proposals.revise_proposal(
            context.viewer,
            local_id(input.proposal_id, "Proposal"),
            input.expected_version,
            to_data(input.proposal),
            idempotency_key(input.idempotency_key, context),
        )
        return ProposalPayload.of(outcome)

    @strawberry.mutation
    async def withdraw_proposal(self, info: ContextInfo, input: ProposalIdInput) -> ProposalPayload:
        context = context_of(info)
        outcome = await context.market.proposals.withdraw_proposal(
            context.viewer, local_id(input.proposal_id, "Proposal")
        )
        return ProposalPayload.of(outcome)

    @strawberry.mutation
    async def shortlist_proposal(self, info: ContextInfo, input: ProposalIdInput) -> ProposalPayload:
        context = context_of(info)
        outcome = await context.market.proposals.shortlist_proposal(
            context.viewer, local_id(input.proposal_id, "Proposal")
        )
        return ProposalPayload.of(outcome)

    @strawberry.mutation
    async def award_proposal(self, info: ContextInfo, input: AwardProposalInput) -> RfpPayload:
        context = context_of(info)
        return RfpPayload.of(
            await context.market.rfps.award_proposal(context.viewer, local_id(input.proposal_id, "Proposal"))
        )
