"""GraphQL inputs of proposal writes."""

from __future__ import annotations

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    IDEMPOTENCY_KEY,
)
from schema.scores.inputs import ProposalInput


@strawberry.input(description="The proposal to award.")
class AwardProposalInput:
    proposal_id: strawberry.ID = strawberry.field(description="The winning proposal's global id.")


@strawberry.input(description="A vendor's proposal on an RFP.")
class SubmitProposalInput:
    rfp_id: strawberry.ID = strawberry.field(description="The OPEN RFP's global id.")
    proposal: ProposalInput = strawberry.field(description="The offer.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="A new version of the vendor's proposal.")
class ReviseProposalInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal's global id.")
    expected_version: int = strawberry.field(
        description="The version the revision is based on: the current `version`, else CONFLICT and "
        "nothing is written."
    )
    proposal: ProposalInput = strawberry.field(description="The whole new offer (it replaces the old).")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="The proposal to act on.")
class ProposalIdInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal's global id.")
