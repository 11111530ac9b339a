"""Scoring reads: the what-if score preview."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    client_error,
    described_field,
    local_id,
)
from schema.context import ContextInfo, context_of
from schema.scores.inputs import ProposalInput, to_data
from schema.scores.types import ProposalScore


@strawberry.type
class ScoreQuery:
    @described_field(
        description="What-if: scores a proposal against an RFP and stores nothing. The buyer, or a vendor "
        "while the RFP is OPEN (budget-hidden view unless the budget is disclosed); refusals are "
        "GraphQL errors with the user error's code."
    )
    async def score_preview(
        self,
        info: ContextInfo,
        rfp_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The RFP's global id; NOT_FOUND when the caller may not preview it."
            ),
        ],
        proposal: Annotated[
            ProposalInput, strawberry.argument(description="The offer to score, as submitProposal takes it.")
        ],
    ) -> ProposalScore:
        """What-if: scores a proposal against an RFP and stores nothing."""
        context = context_of(info)
        outcome = await context.market.proposals.score_preview(
            context.viewer, local_id(rfp_id, "Rfp"), to_data(proposal)
        )
        if outcome.value is None:
            error = outcome.errors[0]
            raise client_error(error.message, list(error.field or ()), error.code.value)
        return ProposalScore.of(outcome.value)
