"""GraphQL types of proposal writes (the Proposal node itself lives beside Rfp in schema/rfps/types)."""

from __future__ import annotations

import strawberry

from market.records import (
    ProposalRecord,
)
from market.vocabulary import Outcome
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    USER_ERRORS,
    UserError,
    user_errors,
)
from schema.rfps.types import Proposal


@strawberry.type(description="The result of a proposal write.")
class ProposalPayload:
    proposal: Proposal | None = strawberry.field(
        description="The proposal as written; null when nothing was written."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def of(cls, outcome: Outcome[ProposalRecord]) -> ProposalPayload:
        proposal = Proposal.of(outcome.value) if outcome.value else None
        return cls(proposal=proposal, user_errors=user_errors(outcome.errors))
