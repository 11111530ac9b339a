"""Scoring reads: the what-if score preview."""

from __future__ import annotations

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    client_error,
    local_id,
)
from schema.context import ContextInfo, context_of
from schema.scores.inputs import ProposalInput, to_data
from schema.scores.types import ProposalScore


@strawberry.type
class ScoreQuery:
    @strawberry.field
    async def score_preview(
        self, info: ContextInfo, rfp_id: strawberry.ID, proposal: ProposalInput
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
