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


@strawberry.input(description="A KPI every proposal must offer, at least as strictly (at most 50 per RFP).")
class KpiRequirementInput:
    metric: KpiMetric = strawberry.field(description="What is measured.")
    comparator: Comparator = strawberry.field(description="Which side of the target is required.")
    target: float = strawberry.field(description="The required value, in `unit`, within the unit's range.")
    unit: KpiUnit = strawberry.field(description="The target's unit.")


@strawberry.input(description="What the buyer gets when the KPI is breached.")
class RemedyInput:
    type: RemedyType = strawberry.field(description="The kind of remedy.")
    credit_percent: float | None = strawberry.field(
        default=None,
        description="SERVICE_CREDIT, FEE_AT_RISK: percent of the monthly fee at stake, above 0 and at most "
        "100 (10 or more is a full stake, below 1 none).",
    )
    after_consecutive_breaches: int | None = strawberry.field(
        default=None,
        description="TERMINATION_RIGHT: consecutive monthly breaches before it applies, 1-24; default 3.",
    )
    description: str | None = strawberry.field(
        default=None, description="The vendor's wording, up to 2,000 characters."
    )


@strawberry.input(description="A service level the vendor commits to.")
class KpiInput:
    metric: KpiMetric = strawberry.field(description="What is measured.")
    name: str | None = strawberry.field(default=None, description="A name for it, up to 200 characters.")
    comparator: Comparator = strawberry.field(description="Which side of the target is promised.")
    target: float = strawberry.field(
        description="The promised value, in `unit`, within the unit's range (INVALID outside)."
    )
    unit: KpiUnit = strawberry.field(description="The target's unit.")
    measurement_method: str | None = strawberry.field(
        default=None,
        description='How it is measured, up to 2,000 characters; without one (or "TBD") the KPI cannot be '
        "enforced.",
    )
    measurement_window: Cadence | None = strawberry.field(
        default=None, description="The period each measurement covers; null or NONE: none."
    )
    remedies: list[RemedyInput] | None = strawberry.field(
        default=None, description="What the buyer gets on a breach, at most 10; default none."
    )


@strawberry.input(description="One step of the escalation path for breaches.")
class EscalationStepInput:
    level: int = strawberry.field(description="The step's level, 1-20 (1 first).")
    role: str = strawberry.field(description="Who answers at this level, 1-200 characters.")
    response_hours: float = strawberry.field(
        description="Hours within which this level answers, 0-8,760; beyond 720 it counts as no escalation."
    )


@strawberry.input(description="The service-level agreement offered.")
class SlaInput:
    kpis: list[KpiInput] = strawberry.field(description="The KPIs committed to, at most 50.")
    reporting_cadence: Cadence = strawberry.field(description="How often the vendor reports on them.")
    escalation_path: list[EscalationStepInput] | None = strawberry.field(
        default=None, description="Who answers a breach, and how fast; at most 20 steps, default none."
    )


@strawberry.input(description="A fixed fee every month, whatever the volume.")
class FlatMonthlyPricingInput:
    monthly_fee: MoneyInput = strawberry.field(description="The fee a month, in the RFP's currency.")


@strawberry.input(description="A price per unit of the RFP's volume, optionally with a monthly minimum.")
class PerUnitPricingInput:
    unit_price: MoneyInput = strawberry.field(description="The price of one unit.")
    unit_name: str = strawberry.field(
        description="The unit priced, 1-100 characters: the RFP's volume unit (case, spacing and a plural "
        "'s' aside), else INVALID."
    )
    minimum_monthly_fee: MoneyInput | None = strawberry.field(
        default=None, description="The least billed a month; default none."
    )


@strawberry.input(
    description="A fee per outcome, optionally on top of a fixed monthly fee; refused (INVALID) when the "
    "RFP states no expectedOutcomesPerMonth."
)
class OutcomeBasedPricingInput:
    base_monthly_fee: MoneyInput | None = strawberry.field(
        default=None, description="A fixed fee a month on top; default none."
    )
    fee_per_outcome: MoneyInput = strawberry.field(description="The fee for each outcome.")
    outcome_name: str = strawberry.field(
        description="What counts as an outcome, 1-100 characters: a kind of the RFP's volume unit "
        '("resolved ticket" is a ticket), else INVALID.'
    )


@strawberry.input(description="An hourly rate, capped every month.")
class TimeAndMaterialsPricingInput:
    hourly_rate: MoneyInput = strawberry.field(description="The price of one hour.")
    monthly_cap: MoneyInput = strawberry.field(
        description="The most billed in a month: the cost when the RFP states no expected hours."
    )
    estimated_hours_per_month: float | None = strawberry.field(
        default=None, description="The vendor's own estimate, 0-100,000: shown, never used for the cost."
    )


@strawberry.input(one_of=True, description="How the vendor charges: exactly one of the four models (@oneOf).")
class PricingInput:
    flat_monthly: FlatMonthlyPricingInput | None = strawberry.field(
        default=strawberry.UNSET, description="A fixed monthly fee."
    )
    per_unit: PerUnitPricingInput | None = strawberry.field(
        default=strawberry.UNSET, description="A price per unit of volume."
    )
    outcome_based: OutcomeBasedPricingInput | None = strawberry.field(
        default=strawberry.UNSET, description="A fee per outcome."
    )
    time_and_materials: TimeAndMaterialsPricingInput | None = strawberry.field(
        default=strawberry.UNSET, description="An hourly rate with a monthly cap."
    )


@strawberry.input(description="The contract terms offered; they set lock-in exposure and exit cost.")
class ContractTermsInput:
    term_months: int = strawberry.field(description="The minimum term in months, 1-120.")
    termination_notice_days: int = strawberry.field(description="Notice to terminate, in days, 0-730.")
    early_termination_fee_months: float = strawberry.field(
        description="Months of fees due when the buyer leaves early, 0-60."
    )
    auto_renews: bool = strawberry.field(description="Whether the contract renews unless cancelled.")
    runbook_ownership: Ownership = strawberry.field(description="Who owns the runbooks at exit.")
    tooling_config_ownership: Ownership = strawberry.field(
        description="Who owns the tooling configuration at exit."
    )
    knowledge_transfer_clause: bool = strawberry.field(
        description="Whether the vendor must hand over its knowledge at exit."
    )
    transition_assistance_months: int = strawberry.field(
        description="Months of help moving to a successor, 0-36 (3 or more is the norm)."
    )
    data_export_on_exit: bool = strawberry.field(description="Whether the buyer gets its data out at exit.")


@strawberry.input(
    description="A vendor's offer: summary, SLA, pricing and contract terms. Amounts in the RFP's currency."
)
class ProposalInput:
    summary: str = strawberry.field(description="The offer in a few words, 1-10,000 characters.")
    sla: SlaInput = strawberry.field(description="The service levels committed to.")
    pricing: PricingInput = strawberry.field(description="How the vendor charges.")
    one_time_fee: MoneyInput | None = strawberry.field(
        default=None, description="A one-off fee (onboarding, transition); default none."
    )
    annual_escalation_percent: float | None = strawberry.field(
        default=None, description="Yearly price increase in percent, 0-50; default 0."
    )
    terms: ContractTermsInput = strawberry.field(description="The contract terms.")


@strawberry.input(description="The monthly volume bought, with a low and a high scenario.")
class VolumeScenarioInput:
    unit_name: str = strawberry.field(description='What is counted, e.g. "tickets"; 1-100 characters.')
    expected: float = strawberry.field(description="The expected volume a month, 0 to 1e9.")
    low: float | None = strawberry.field(
        default=None, description="The low scenario, at most expected; default expected."
    )
    high: float | None = strawberry.field(
        default=None, description="The high scenario, at least expected (up to 1e9); default expected."
    )


@strawberry.input(
    description="Relative weights of the criteria, each 0-1000 with a positive sum; normalized to sum 1 "
    "when scoring."
)
class ScoringWeightsInput:
    sla_quality: float = strawberry.field(description="The weight of SLA quality.")
    lock_in: float = strawberry.field(description="The weight of low lock-in.")
    cost: float = strawberry.field(description="The weight of the cost score.")


@strawberry.input(
    description="A what-if weight for one qualitative criterion of the RFP: its share of the total, "
    "0-1. Criteria not listed keep the RFP's weight."
)
class QualitativeWeightInput:
    criterion_id: strawberry.ID = strawberry.field(
        description="One of the RFP's qualitative criteria (QualitativeCriterion.id), at most once."
    )
    weight: float = strawberry.field(
        description="Its what-if share of the total, from 0 to 1; the computed weights and every "
        "criterion's must sum to 1."
    )


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
