"""GraphQL inputs of the evaluation team's writes."""

from __future__ import annotations

import strawberry


@strawberry.input(description="The evaluators of an RFP (the lead's choice; replaces the list).")
class AssignEvaluatorsInput:
    rfp_id: strawberry.ID = strawberry.field(description="The RFP.")
    member_ids: list[strawberry.ID] = strawberry.field(
        description="Active EVALUATOR members of the buyer, at most 20."
    )


@strawberry.input(
    description="An assigned evaluator's conflict-of-interest declaration about one vendor; final."
)
class DeclareConflictInput:
    rfp_id: strawberry.ID = strawberry.field(description="The RFP the evaluator is assigned to.")
    vendor_id: strawberry.ID = strawberry.field(description="The vendor organization's id.")
    has_conflict: bool = strawberry.field(
        description="False: cleared to read and score the vendor's proposal. True: excluded from it."
    )
    note: str | None = strawberry.field(default=None, description="Optional, at most 1000 characters.")


@strawberry.input(description="An evaluator's score of a proposal on a qualitative criterion.")
class SubmitEvaluationInput:
    proposal_id: strawberry.ID = strawberry.field(description="A proposal the evaluator is cleared for.")
    criterion_id: strawberry.ID = strawberry.field(description="One of the RFP's qualitative criteria.")
    score: float = strawberry.field(description="A whole level from 0 to the criterion's scaleMax.")
    justification: str = strawberry.field(
        description="Why; at least 20 characters at the extremes (0 and scaleMax), at most 5000."
    )


@strawberry.input(
    description="The lead's consensus score of a proposal on a criterion, once consensus is open."
)
class RecordConsensusInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal.")
    criterion_id: strawberry.ID = strawberry.field(description="One of the RFP's qualitative criteria.")
    score: float = strawberry.field(description="A whole level from 0 to the criterion's scaleMax.")
    reason: str = strawberry.field(description="Why the team agreed on it (required).")
