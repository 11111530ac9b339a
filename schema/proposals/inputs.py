"""GraphQL inputs of proposal writes."""

from __future__ import annotations

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    IDEMPOTENCY_KEY,
)
from schema.scores.inputs import ProposalInput


@strawberry.input
class AwardProposalInput:
    proposal_id: strawberry.ID


@strawberry.input
class SubmitProposalInput:
    rfp_id: strawberry.ID
    proposal: ProposalInput
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class ReviseProposalInput:
    proposal_id: strawberry.ID
    expected_version: int
    proposal: ProposalInput
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class ProposalIdInput:
    proposal_id: strawberry.ID
