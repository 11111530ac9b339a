"""GraphQL inputs of amendments."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.common import MoneyInput
from schema.scores.inputs import KpiRequirementInput, ScoringWeightsInput, VolumeScenarioInput


@strawberry.input(
    description="An addendum: what changes in an OPEN RFP. Omitted or null fields stay as they are; at "
    "least one must change (INVALID otherwise)."
)
class AmendRfpInput:
    rfp_id: strawberry.ID = strawberry.field(description="The OPEN RFP's global id.")
    summary: str = strawberry.field(
        description="What changes and why, for vendors: 1-5,000 characters, no control characters."
    )
    scope: str | None = strawberry.field(default=None, description="A new scope, 1-20,000 characters.")
    volume: VolumeScenarioInput | None = strawberry.field(
        default=None, description="A new volume: vendors must confirm or revise."
    )
    requirements: list[KpiRequirementInput] | None = strawberry.field(
        default=None, description="New requirements (replacing all of them): vendors must confirm or revise."
    )
    monthly_budget: MoneyInput | None = strawberry.field(
        default=None, description="A new budget in the RFP's currency: every proposal is rescored."
    )
    weights: ScoringWeightsInput | None = strawberry.field(
        default=None, description="New weights: every proposal is rescored."
    )
    submission_deadline: datetime | None = strawberry.field(
        default=None, description="A later deadline (never earlier), with an offset, before 2100."
    )
    expected_hours_per_month: float | None = strawberry.field(
        default=None, description="New expected hours a month: vendors must confirm or revise."
    )
    expected_outcomes_per_month: float | None = strawberry.field(
        default=None, description="New expected outcomes a month: vendors must confirm or revise."
    )
    evaluation_months: int | None = strawberry.field(
        default=None, description="A new evaluation horizon, 1-120: vendors must confirm or revise."
    )
