"""GraphQL inputs of RFP writes."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.vocabulary import ServiceCategory
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    IDEMPOTENCY_KEY,
    MoneyInput,
)
from schema.scores.inputs import KpiRequirementInput, ScoringWeightsInput, VolumeScenarioInput


@strawberry.input
class CreateRfpInput:
    title: str
    scope: str
    category: ServiceCategory
    currency_code: str
    submission_deadline: datetime
    evaluation_months: int | None = None
    volume: VolumeScenarioInput
    expected_hours_per_month: float | None = None
    expected_outcomes_per_month: float | None = None
    requirements: list[KpiRequirementInput] | None = None
    weights: ScoringWeightsInput | None = None
    monthly_budget: MoneyInput
    sealed: bool | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)
    budget_disclosed: bool | None = strawberry.field(
        default=None,
        description="Default false: vendors see neither the budget nor anything computed from it "
        "(cost score, cost component, budget findings). True: they see monthlyBudget and full scores.",
    )
    enquiry_deadline: datetime | None = strawberry.field(
        default=None,
        description="Vendors may ask clarification questions until then (before submissionDeadline); "
        "unset: until the submission deadline.",
    )


@strawberry.input
class RfpIdInput:
    rfp_id: strawberry.ID


@strawberry.input
class UpdateRfpWeightsInput:
    rfp_id: strawberry.ID
    weights: ScoringWeightsInput
