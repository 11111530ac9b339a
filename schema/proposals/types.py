"""GraphQL types of proposal writes (the Proposal node itself lives beside Rfp in schema/rfps/types)."""

from __future__ import annotations

import strawberry

from market.records import (
    ProposalRecord,
)
from market.vocabulary import Outcome
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    UserError,
    user_errors,
)
from schema.rfps.types import Proposal


@strawberry.type
class ProposalPayload:
    proposal: Proposal | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, outcome: Outcome[ProposalRecord]) -> ProposalPayload:
        proposal = Proposal.of(outcome.value) if outcome.value else None
        return cls(proposal=proposal, user_errors=user_errors(outcome.errors))
