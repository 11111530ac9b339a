"""GraphQL inputs mirroring the scoring model (a proposal's terms, weights), and how an
input object becomes the plain data the market validates."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

import strawberry
from pydantic.alias_generators import to_camel

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    MoneyInput,
)
from scoring.model import Cadence, Comparator, KpiMetric, KpiUnit, Ownership, RemedyType


@strawberry.input
class KpiRequirementInput:
    metric: KpiMetric
    comparator: Comparator
    target: float
    unit: KpiUnit


@strawberry.input
class RemedyInput:
    type: RemedyType
    credit_percent: float | None = None
    after_consecutive_breaches: int | None = None
    description: str | None = None


@strawberry.input
class KpiInput:
    metric: KpiMetric
    name: str | None = None
    comparator: Comparator
    target: float
    unit: KpiUnit
    measurement_method: str | None = None
    measurement_window: Cadence | None = None
    remedies: list[RemedyInput] | None = None


@strawberry.input
class EscalationStepInput:
    level: int
    role: str
    response_hours: float


@strawberry.input
class SlaInput:
    kpis: list[KpiInput]
    reporting_cadence: Cadence
    escalation_path: list[EscalationStepInput] | None = None


@strawberry.input
class FlatMonthlyPricingInput:
    monthly_fee: MoneyInput


@strawberry.input
class PerUnitPricingInput:
    unit_price: MoneyInput
    unit_name: str
    minimum_monthly_fee: MoneyInput | None = None


@strawberry.input
class OutcomeBasedPricingInput:
    base_monthly_fee: MoneyInput | None = None
    fee_per_outcome: MoneyInput
    outcome_name: str


@strawberry.input
class TimeAndMaterialsPricingInput:
    hourly_rate: MoneyInput
    monthly_cap: MoneyInput
    estimated_hours_per_month: float | None = None


@strawberry.input(one_of=True)
class PricingInput:
    flat_monthly: FlatMonthlyPricingInput | None = strawberry.UNSET
    per_unit: PerUnitPricingInput | None = strawberry.UNSET
    outcome_based: OutcomeBasedPricingInput | None = strawberry.UNSET
    time_and_materials: TimeAndMaterialsPricingInput | None = strawberry.UNSET


@strawberry.input
class ContractTermsInput:
    term_months: int
    termination_notice_days: int
    early_termination_fee_months: float
    auto_renews: bool
    runbook_ownership: Ownership
    tooling_config_ownership: Ownership
    knowledge_transfer_clause: bool
    transition_assistance_months: int
    data_export_on_exit: bool


@strawberry.input
class ProposalInput:
    summary: str
    sla: SlaInput
    pricing: PricingInput
    one_time_fee: MoneyInput | None = None
    annual_escalation_percent: float | None = None
    terms: ContractTermsInput


@strawberry.input
class VolumeScenarioInput:
    unit_name: str
    expected: float
    low: float | None = None
    high: float | None = None


@strawberry.input
class ScoringWeightsInput:
    sla_quality: float
    lock_in: float
    cost: float


def to_data(value: Any) -> Any:
    """An input object as plain data keyed by GraphQL names; omitted and null fields are left out,
    so the market's models apply their documented defaults. A @oneOf pricing becomes
    {"model": <the chosen field>, ...its fields}."""
    if isinstance(value, PricingInput):
        for field in dataclasses.fields(value):
            chosen = getattr(value, field.name)
            if chosen is not None and chosen is not strawberry.UNSET:
                return {"model": to_camel(field.name), **to_data(chosen)}
        return {}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            to_camel(field.name): to_data(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if getattr(value, field.name) is not None and getattr(value, field.name) is not strawberry.UNSET
        }
    if isinstance(value, list):
        return [to_data(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value
