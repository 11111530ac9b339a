"""GraphQL inputs of amendments."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.common import MoneyInput
from schema.scores.inputs import KpiRequirementInput, ScoringWeightsInput, VolumeScenarioInput


@strawberry.input
class AmendRfpInput:
    rfp_id: strawberry.ID
    summary: str
    scope: str | None = None
    volume: VolumeScenarioInput | None = None
    requirements: list[KpiRequirementInput] | None = None
    monthly_budget: MoneyInput | None = None
    weights: ScoringWeightsInput | None = None
    submission_deadline: datetime | None = None
    expected_hours_per_month: float | None = None
    expected_outcomes_per_month: float | None = None
    evaluation_months: int | None = None
