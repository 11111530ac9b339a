"""Proposal writes, the award included (it settles every proposal of the RFP)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    INPUT,
    described_mutation,
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
    @described_mutation(
        description="A vendor submits its one proposal on an OPEN RFP before the deadline, in the RFP's "
        "currency; it is scored and stored as version 1."
    )
    async def submit_proposal(
        self, info: ContextInfo, input: Annotated[SubmitProposalInput, INPUT]
    ) -> ProposalPayload:
        context = context_of(info)
        outcome = await context.market.proposals.submit_proposal(
            context.viewer,
            local_id(input.rfp_id, "Rfp"),
            to_data(input.proposal),
            idempotency_key(input.idempotency_key, context),
        )
        return ProposalPayload.of(outcome)

    @described_mutation(
        description="The vendor replaces its SUBMITTED or SHORTLISTED proposal's offer while the RFP is "
        "OPEN; expectedVersion must be the current version (CONFLICT otherwise). Rescored; version + 1; "
        "rate-limited per hour."
    )
    async def revise_proposal(
        self, info: ContextInfo, input: Annotated[ReviseProposalInput, INPUT]
    ) -> ProposalPayload:
        context = context_of(info)
        outcome = await context.market.proposals.revise_proposal(
            context.viewer,
            local_id(input.proposal_id, "Proposal"),
            input.expected_version,
            to_data(input.proposal),
            idempotency_key(input.idempotency_key, context),
        )
        return ProposalPayload.of(outcome)

    @described_mutation(
        description="The vendor withdraws its proposal (WITHDRAWN, final) unless the RFP is AWARDED or "
        "CANCELLED."
    )
    async def withdraw_proposal(
        self, info: ContextInfo, input: Annotated[ProposalIdInput, INPUT]
    ) -> ProposalPayload:
        context = context_of(info)
        outcome = await context.market.proposals.withdraw_proposal(
            context.viewer, local_id(input.proposal_id, "Proposal")
        )
        return ProposalPayload.of(outcome)

    @described_mutation(
        description="The buyer marks a SUBMITTED proposal SHORTLISTED (not on a DRAFT, AWARDED or CANCELLED "
        "RFP)."
    )
    async def shortlist_proposal(
        self, info: ContextInfo, input: Annotated[ProposalIdInput, INPUT]
    ) -> ProposalPayload:
        context = context_of(info)
        outcome = await context.market.proposals.shortlist_proposal(
            context.viewer, local_id(input.proposal_id, "Proposal")
        )
        return ProposalPayload.of(outcome)

    @described_mutation(
        description="The buyer awards a SUBMITTED or SHORTLISTED proposal of a CLOSED RFP: it becomes "
        "AWARDED, the other live ones REJECTED and the RFP AWARDED, in one transaction."
    )
    async def award_proposal(
        self, info: ContextInfo, input: Annotated[AwardProposalInput, INPUT]
    ) -> RfpPayload:
        context = context_of(info)
        return RfpPayload.of(
            await context.market.rfps.award_proposal(context.viewer, local_id(input.proposal_id, "Proposal"))
        )
