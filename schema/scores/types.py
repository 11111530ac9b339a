"""GraphQL mirrors of the scoring model: requirements, SLAs, pricing, contract terms, weights, scores."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    Money,
)
from scoring import model
from scoring.messages import TEMPLATES


@strawberry.type
class KpiRequirement:
    metric: model.KpiMetric
    comparator: model.Comparator
    target: float
    unit: model.KpiUnit


@strawberry.type
class Remedy:
    type: model.RemedyType
    credit_percent: float | None
    after_consecutive_breaches: int | None
    description: str | None


@strawberry.type
class Kpi:
    metric: model.KpiMetric
    name: str | None
    comparator: model.Comparator
    target: float
    unit: model.KpiUnit
    measurement_method: str | None
    measurement_window: model.Cadence | None
    remedies: list[Remedy]

    @classmethod
    def of(cls, kpi: model.Kpi) -> Kpi:
        return cls(
            metric=kpi.metric,
            name=kpi.name,
            comparator=kpi.comparator,
            target=kpi.target,
            unit=kpi.unit,
            measurement_method=kpi.measurement_method,
            measurement_window=kpi.measurement_window,
            remedies=[Remedy(**remedy.model_dump()) for remedy in kpi.remedies],
        )


@strawberry.type
class EscalationStep:
    level: int
    role: str
    response_hours: float


@strawberry.type
class Sla:
    kpis: list[Kpi]
    reporting_cadence: model.Cadence
    escalation_path: list[EscalationStep]

    @classmethod
    def of(cls, sla: model.Sla) -> Sla:
        return cls(
            kpis=[Kpi.of(kpi) for kpi in sla.kpis],
            reporting_cadence=sla.reporting_cadence,
            escalation_path=[EscalationStep(**step.model_dump()) for step in sla.escalation_path],
        )


@strawberry.type
class FlatMonthlyPricing:
    monthly_fee: Money


@strawberry.type
class PerUnitPricing:
    unit_price: Money
    unit_name: str
    minimum_monthly_fee: Money | None


@strawberry.type
class OutcomeBasedPricing:
    base_monthly_fee: Money | None
    fee_per_outcome: Money
    outcome_name: str


@strawberry.type
class TimeAndMaterialsPricing:
    hourly_rate: Money
    monthly_cap: Money
    estimated_hours_per_month: float | None


Pricing = Annotated[
    FlatMonthlyPricing | PerUnitPricing | OutcomeBasedPricing | TimeAndMaterialsPricing,
    strawberry.union("Pricing"),
]


def _money(value: model.Money | None) -> Money | None:
    return Money.of(value) if value is not None else None


def pricing_of(pricing: model.Pricing) -> Any:
    if isinstance(pricing, model.FlatMonthlyPricing):
        return FlatMonthlyPricing(monthly_fee=Money.of(pricing.monthly_fee))
    if isinstance(pricing, model.PerUnitPricing):
        return PerUnitPricing(
            unit_price=Money.of(pricing.unit_price),
            unit_name=pricing.unit_name,
            minimum_monthly_fee=_money(pricing.minimum_monthly_fee),
        )
    if isinstance(pricing, model.OutcomeBasedPricing):
        return OutcomeBasedPricing(
            base_monthly_fee=_money(pricing.base_monthly_fee),
            fee_per_outcome=Money.of(pricing.fee_per_outcome),
            outcome_name=pricing.outcome_name,
        )
    return TimeAndMaterialsPricing(
        hourly_rate=Money.of(pricing.hourly_rate),
        monthly_cap=Money.of(pricing.monthly_cap),
        estimated_hours_per_month=pricing.estimated_hours_per_month,
    )


@strawberry.type
class ContractTerms:
    term_months: int
    termination_notice_days: int
    early_termination_fee_months: float
    auto_renews: bool
    runbook_ownership: model.Ownership
    tooling_config_ownership: model.Ownership
    knowledge_transfer_clause: bool
    transition_assistance_months: int
    data_export_on_exit: bool


@strawberry.type
class VolumeScenario:
    unit_name: str
    expected: float
    low: float
    high: float


@strawberry.type
class ScoringWeights:
    sla_quality: float
    lock_in: float
    cost: float


# ------------------------------------------------------------------------------------- scores


MessageCodeEnum = strawberry.enum(
    model.MessageCode,
    name="FindingMessageCode",
    description="Which sentence a finding's message is: a UI renders its own wording from this code "
    "and the finding's terms (the English templates are in the README).",
)
TermKindEnum = strawberry.enum(
    model.TermKind,
    name="MessageTermKind",
    description="How to show a term's value: NUMBER, PERCENT (5 means 5%), MONTHS, DAYS, HOURS, MONEY "
    "(see money), CODE (a schema enum value, e.g. a KpiMetric; label it yourself), CODES "
    "(comma-separated enum values) or TEXT (the vendor's own words, shown as given).",
)

TERM_KINDS = {
    "NUMBER": "A plain number: a KPI's position, a target, a count.",
    "PERCENT": "A number of percent: 5 means 5%.",
    "MONTHS": "A number of months.",
    "DAYS": "A number of days.",
    "HOURS": "A number of hours.",
    "MONEY": "An amount of money: `money` holds it with its currency.",
    "CODE": "A value of a schema enum (a KpiMetric, KpiUnit, Comparator, RemedyType...): label it yourself.",
    "CODES": "Schema enum values, comma-separated.",
    "TEXT": "The vendor's own words (a unit name, a role), shown as given.",
}


def _describe_values(enum: Any, descriptions: dict[str, str]) -> None:
    """Enum values of scoring/ (pure, knows nothing of GraphQL) get their descriptions here."""
    for value in enum.__strawberry_definition__.values:
        value.description = descriptions[value.name]


# Each message code is described by its English template ({placeholders} name the terms).
_describe_values(MessageCodeEnum, {code.name: f"English: {template}" for code, template in TEMPLATES.items()})
_describe_values(TermKindEnum, TERM_KINDS)


@strawberry.type(description="One value a finding's message names, for a UI to render in its own language.")
class MessageTerm:
    name: str = strawberry.field(description="The placeholder's name in the message template, e.g. `months`.")
    kind: TermKindEnum = strawberry.field(description="How to show the value.")  # type: ignore[valid-type]
    value: str = strawberry.field(
        description="The value as text: a decimal number (dot, no separators) for numeric kinds and "
        "MONEY, the enum value for CODE, the words for TEXT."
    )
    money: Money | None = strawberry.field(description="The amount and currency, for MONEY only; else null.")

    @classmethod
    def of(cls, term: model.Term) -> MessageTerm:
        money = (
            Money(
                amount=model.canonical_amount(Decimal(term.value), term.currency_code),
                currency_code=term.currency_code,
            )
            if term.kind is model.TermKind.MONEY and term.currency_code
            else None
        )
        return cls(name=term.name, kind=term.kind, value=term.value, money=money)


@strawberry.type
class Finding:
    code: model.FindingCode
    severity: model.Severity
    message: str
    path: list[str]
    message_code: MessageCodeEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="The message as a code, to render in the reader's language with `terms`; null on a "
        "score stored before codes existed (it gains them when rescored).",
    )
    terms: list[MessageTerm] = strawberry.field(
        default_factory=list,
        description="The values the message names (numbers, units, money, codes), by placeholder name.",
    )


@strawberry.type
class ScoreComponent:
    criterion: str
    value: float
    weight: float
    contribution: float
    explanation: str


@strawberry.type(
    description="A proposal's score. While the RFP's budget is not disclosed, a vendor gets the "
    "budget-hidden view (budgetHidden true): nothing in it depends on the budget."
)
class ProposalScore:
    total: float = strawberry.field(
        description="0-100, the sum of the components' contributions. Budget hidden: the sum of the "
        "SLA-quality and lock-in contributions only."
    )
    sla_quality: float
    lock_in_exposure: float
    cost_score: float = strawberry.field(
        description="0-100 against the RFP's budget. Budget hidden: 0 (not scored for you)."
    )
    normalized_monthly_cost: Money
    monthly_cost_low: Money
    monthly_cost_high: Money
    exit_cost: Money
    meets_requirements: bool
    eligible: bool = strawberry.field(
        description="Meets every requirement AND within budget; findings say why not (ranked first)."
    )
    findings: list[Finding] = strawberry.field(
        description="Budget hidden: without the findings that depend on the budget (OVER_BUDGET)."
    )
    components: list[ScoreComponent] = strawberry.field(
        description="Budget hidden: without the cost component (its value and explanation name the budget)."
    )
    scoring_version: str
    budget_hidden: bool = strawberry.field(
        description="True in the view a vendor gets while the RFP's budget is not disclosed: cost "
        "score, cost component and budget findings are left out, and total covers the other criteria."
    )

    @classmethod
    def of(cls, score: model.ProposalScore) -> ProposalScore:
        return cls(
            total=score.total,
            sla_quality=score.sla_quality,
            lock_in_exposure=score.lock_in_exposure,
            cost_score=score.cost_score,
            normalized_monthly_cost=Money.of(score.normalized_monthly_cost),
            monthly_cost_low=Money.of(score.monthly_cost_low),
            monthly_cost_high=Money.of(score.monthly_cost_high),
            exit_cost=Money.of(score.exit_cost),
            meets_requirements=score.meets_requirements,
            eligible=score.eligible,
            findings=[
                Finding(
                    code=f.code,
                    severity=f.severity,
                    message=f.message,
                    path=list(f.path),
                    message_code=f.message_code,
                    terms=[MessageTerm.of(term) for term in f.terms],
                )
                for f in score.findings
            ],
            components=[ScoreComponent(**component.model_dump()) for component in score.components],
            scoring_version=score.scoring_version,
            budget_hidden=score.budget_hidden,
        )


# ------------------------------------------------------------------------------------- RFPs and proposals
