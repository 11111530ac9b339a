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


@strawberry.input(description="A qualitative criterion of a new RFP (createRfp), at most 6.")
class QualitativeCriterionInput:
    name: str = strawberry.field(description="A short name, 1 to 200 characters.")
    description: str = strawberry.field(description="What the evaluators judge.")
    scale_max: int = strawberry.field(description="The top of the scale: 5 or 10.")
    weight: float = strawberry.field(
        description="Its share of the total, above 0: weights (computed) and every criterion's sum to 1."
    )
    guidance: list[str] | None = strawberry.field(
        default=None, description="What each level means: exactly scaleMax + 1 texts, level 0 first."
    )


@strawberry.input(description="A new RFP, created as a DRAFT.")
class CreateRfpInput:
    title: str = strawberry.field(
        description="One line, 1-200 characters, no control or invisible characters."
    )
    scope: str = strawberry.field(description="What is to be done, 1-20,000 characters.")
    category: ServiceCategory = strawberry.field(description="The kind of service bought.")
    currency_code: str = strawberry.field(
        description="ISO 4217 code of a real currency, upper-case; the budget and every proposal's "
        "amounts must be in it."
    )
    submission_deadline: datetime = strawberry.field(
        description="Proposals are accepted before this instant: in the future and before 2100 (UTC)."
    )
    evaluation_months: int | None = strawberry.field(
        default=None,
        description="Months over which costs are compared (one-time fees, escalation), 1-120; default 12.",
    )
    volume: VolumeScenarioInput = strawberry.field(description="The monthly volume bought.")
    expected_hours_per_month: float | None = strawberry.field(
        default=None,
        description="Hours of work a month, 0-1,000,000, that time-and-materials pricing is costed at; "
        "default none (costed at the cap).",
    )
    expected_outcomes_per_month: float | None = strawberry.field(
        default=None,
        description="Outcomes a month, 0 to 1e9, that outcome-based pricing is costed at; default none "
        "(outcome-based pricing is then refused).",
    )
    requirements: list[KpiRequirementInput] | None = strawberry.field(
        default=None, description="KPIs every proposal must meet, at most 50; default none."
    )
    weights: ScoringWeightsInput | None = strawberry.field(
        default=None, description="How the criteria weigh; default 0.4 / 0.25 / 0.35."
    )
    monthly_budget: MoneyInput = strawberry.field(
        description="The most the buyer means to pay a month, in currencyCode; hidden from vendors "
        "unless budgetDisclosed."
    )
    sealed: bool | None = strawberry.field(
        default=None,
        description="True: the buyer sees no proposal, score or ranking before the submission deadline "
        "(each vendor still sees its own); default false.",
    )
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
    qualitative_criteria: list[QualitativeCriterionInput] | None = strawberry.field(
        default=None,
        description="Up to 6 criteria evaluators score; with any, weights and theirs must sum to 1.",
    )


@strawberry.input(description="The RFP to act on.")
class RfpIdInput:
    rfp_id: strawberry.ID = strawberry.field(description="The RFP's global id.")


@strawberry.input(description="New weights for an RFP.")
class UpdateRfpWeightsInput:
    rfp_id: strawberry.ID = strawberry.field(description="The RFP's global id.")
    weights: ScoringWeightsInput = strawberry.field(description="The new weights.")
