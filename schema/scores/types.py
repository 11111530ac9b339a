"""GraphQL mirrors of the scoring model: requirements, SLAs, pricing, contract terms, weights, scores."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    Money,
)
from schema.enums import described_enum
from scoring import model
from scoring.messages import EXPLANATION_TEMPLATES, TEMPLATES


@strawberry.type(description="A KPI the buyer requires every proposal to offer, at least as strictly.")
class KpiRequirement:
    metric: model.KpiMetric = strawberry.field(description="What is measured.")
    comparator: model.Comparator = strawberry.field(description="Which side of the target is required.")
    target: float = strawberry.field(description="The required value, in `unit`.")
    unit: model.KpiUnit = strawberry.field(description="The target's unit.")


@strawberry.type(description="What the buyer gets when a KPI is breached.")
class Remedy:
    type: model.RemedyType = strawberry.field(description="The kind of remedy.")
    credit_percent: float | None = strawberry.field(
        description="SERVICE_CREDIT, FEE_AT_RISK: percent of the monthly fee at stake (above 0, at most 100)."
    )
    after_consecutive_breaches: int | None = strawberry.field(
        description="TERMINATION_RIGHT: consecutive monthly breaches before it applies, 1-24; null: 3."
    )
    description: str | None = strawberry.field(description="The vendor's wording, up to 2,000 characters.")


@strawberry.type(description="A service level the vendor commits to, with how it is measured and enforced.")
class Kpi:
    metric: model.KpiMetric = strawberry.field(description="What is measured.")
    name: str | None = strawberry.field(description="The vendor's name for it (up to 200 characters).")
    comparator: model.Comparator = strawberry.field(description="Which side of the target is promised.")
    target: float = strawberry.field(description="The promised value, in `unit`, within the unit's range.")
    unit: model.KpiUnit = strawberry.field(description="The target's unit.")
    measurement_method: str | None = strawberry.field(
        description='How it is measured (a tool, a survey), up to 2,000 characters; null or "TBD": no method.'
    )
    measurement_window: model.Cadence | None = strawberry.field(
        description="The period each measurement covers; null or NONE: no window."
    )
    remedies: list[Remedy] = strawberry.field(description="What the buyer gets on a breach (at most 10).")

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


@strawberry.type(description="One step of the escalation path for breaches.")
class EscalationStep:
    level: int = strawberry.field(description="The step's level, 1-20 (1 first).")
    role: str = strawberry.field(description="Who answers at this level (1-200 characters).")
    response_hours: float = strawberry.field(
        description="Hours within which this level answers, 0-8,760; beyond 720 it counts as no escalation."
    )


@strawberry.type(description="A proposal's service-level agreement: KPIs, reporting and escalation.")
class Sla:
    kpis: list[Kpi] = strawberry.field(description="The KPIs committed to (at most 50).")
    reporting_cadence: model.Cadence = strawberry.field(description="How often the vendor reports on them.")
    escalation_path: list[EscalationStep] = strawberry.field(
        description="Who answers a breach, and how fast (at most 20 steps; empty: none)."
    )

    @classmethod
    def of(cls, sla: model.Sla) -> Sla:
        return cls(
            kpis=[Kpi.of(kpi) for kpi in sla.kpis],
            reporting_cadence=sla.reporting_cadence,
            escalation_path=[EscalationStep(**step.model_dump()) for step in sla.escalation_path],
        )


@strawberry.type(description="A fixed fee every month, whatever the volume.")
class FlatMonthlyPricing:
    monthly_fee: Money = strawberry.field(description="The fee a month.")


@strawberry.type(
    description="A price per unit of the RFP's volume (tickets, say), optionally with a monthly minimum."
)
class PerUnitPricing:
    unit_price: Money = strawberry.field(description="The price of one unit.")
    unit_name: str = strawberry.field(
        description="The unit priced: the RFP's volume unit (case, spacing and a plural 's' aside)."
    )
    minimum_monthly_fee: Money | None = strawberry.field(description="The least billed a month; null: none.")


@strawberry.type(description="A fee per outcome achieved, optionally on top of a fixed monthly fee.")
class OutcomeBasedPricing:
    base_monthly_fee: Money | None = strawberry.field(description="A fixed fee a month on top; null: none.")
    fee_per_outcome: Money = strawberry.field(description="The fee for each outcome.")
    outcome_name: str = strawberry.field(
        description='What counts as an outcome: a kind of the RFP\'s volume unit ("resolved ticket").'
    )


@strawberry.type(description="An hourly rate, capped every month.")
class TimeAndMaterialsPricing:
    hourly_rate: Money = strawberry.field(description="The price of one hour.")
    monthly_cap: Money = strawberry.field(
        description="The most billed in a month: the cost when the RFP states no expected hours."
    )
    estimated_hours_per_month: float | None = strawberry.field(
        description="The vendor's own estimate (0-100,000): shown, never used for the cost."
    )


Pricing = Annotated[
    FlatMonthlyPricing | PerUnitPricing | OutcomeBasedPricing | TimeAndMaterialsPricing,
    strawberry.union("Pricing", description="How a vendor charges: one of four pricing models."),
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


@strawberry.type(description="The contract terms of a proposal; they set its lock-in exposure and exit cost.")
class ContractTerms:
    term_months: int = strawberry.field(description="The minimum term in months, 1-120.")
    termination_notice_days: int = strawberry.field(description="Notice to terminate, in days, 0-730.")
    early_termination_fee_months: float = strawberry.field(
        description="Months of fees due when the buyer leaves early, 0-60."
    )
    auto_renews: bool = strawberry.field(description="Whether the contract renews unless cancelled.")
    runbook_ownership: model.Ownership = strawberry.field(description="Who owns the runbooks at exit.")
    tooling_config_ownership: model.Ownership = strawberry.field(
        description="Who owns the tooling configuration at exit."
    )
    knowledge_transfer_clause: bool = strawberry.field(
        description="Whether the vendor must hand over its knowledge at exit."
    )
    transition_assistance_months: int = strawberry.field(
        description="Months of help moving to a successor, 0-36 (3 or more is the norm)."
    )
    data_export_on_exit: bool = strawberry.field(description="Whether the buyer gets its data out at exit.")


@strawberry.type(description="The monthly volume bought, with a low and a high scenario.")
class VolumeScenario:
    unit_name: str = strawberry.field(description='What is counted, e.g. "tickets".')
    expected: float = strawberry.field(description="The expected volume a month.")
    low: float = strawberry.field(description="The low scenario a month (at most expected).")
    high: float = strawberry.field(description="The high scenario a month (at least expected).")


@strawberry.type(
    description="How the criteria weigh in the total, as the buyer set them (normalized to sum 1 when "
    "scoring). Default 0.4 / 0.25 / 0.35."
)
class ScoringWeights:
    sla_quality: float = strawberry.field(description="The weight of SLA quality.")
    lock_in: float = strawberry.field(description="The weight of low lock-in (100 minus exposure).")
    cost: float = strawberry.field(description="The weight of the cost score.")


# ------------------------------------------------------------------------------------- scores


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

# Each message code is described by its English template ({placeholders} name the terms).
described_enum(
    model.MessageCode,
    "FindingMessageCode",
    "Which sentence a finding's message is: a UI renders its own wording from this code and the "
    "finding's terms (the English templates are in the README).",
    {code.name: f"English: {template}" for code, template in TEMPLATES.items()},
)
described_enum(
    model.TermKind,
    "MessageTermKind",
    "How to show a term's value: NUMBER, PERCENT (5 means 5%), MONTHS, DAYS, HOURS, MONEY (see money), "
    "CODE (a schema enum value, e.g. a KpiMetric; label it yourself), CODES (comma-separated enum values) "
    "or TEXT (the vendor's own words, shown as given).",
    TERM_KINDS,
)
described_enum(
    model.ExplanationCode,
    "ExplanationMessageCode",
    "Which piece of a score component's explanation a part is: a UI renders its own wording from this "
    "code and the part's terms. Each English template brings its own leading separator, so the parts' "
    "renderings joined as they are give `explanation` exactly. The budget parts (AGAINST_THE_BUDGET and "
    "after it) never appear in a budget-hidden view.",
    {code.name: f"English: {template!r}" for code, template in EXPLANATION_TEMPLATES.items()},
)


@strawberry.type(description="One value a finding's message names, for a UI to render in its own language.")
class MessageTerm:
    name: str = strawberry.field(description="The placeholder's name in the message template, e.g. `months`.")
    kind: model.TermKind = strawberry.field(description="How to show the value.")
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


@strawberry.type(description="Something scoring noticed about a proposal: a lost point or a reason to ask.")
class Finding:
    code: model.FindingCode = strawberry.field(description="The kind of finding, stable for clients.")
    severity: model.Severity = strawberry.field(description="How much it matters.")
    message: str = strawberry.field(description="An English sentence with the figures, for people.")
    path: list[str] = strawberry.field(
        description='The ProposalInput path it is about, e.g. ["sla", "kpis", "0", "remedies"]; empty: '
        "the whole proposal."
    )
    message_code: model.MessageCode | None = strawberry.field(
        default=None,
        description="The message as a code, to render in the reader's language with `terms`; null on a "
        "score stored before codes existed (it gains them when rescored).",
    )
    terms: list[MessageTerm] = strawberry.field(
        default_factory=list,
        description="The values the message names (numbers, units, money, codes), by placeholder name.",
    )


@strawberry.type(
    description="One piece of a score component's explanation, for a UI to render in its own language."
)
class ExplanationPart:
    message_code: model.ExplanationCode = strawberry.field(
        description="Which piece it is; its English template is in the enum value's description."
    )
    terms: list[MessageTerm] = strawberry.field(
        description="The values the piece names (points, months, money, codes), by placeholder name. A "
        "placeholder `{name:amount}` shows a MONEY term's amount without its currency."
    )

    @classmethod
    def of(cls, part: model.ExplanationPart) -> ExplanationPart:
        return cls(message_code=part.code, terms=[MessageTerm.of(term) for term in part.terms])


@strawberry.type(description="One criterion's part of the total, explained.")
class ScoreComponent:
    criterion: str = strawberry.field(description="slaQuality, lockIn or cost.")
    value: float = strawberry.field(
        description="0-100 as it enters the total, higher is better (lockIn: 100 minus the exposure)."
    )
    weight: float = strawberry.field(description="The normalized weight (the three sum to 1).")
    contribution: float = strawberry.field(description="value x weight; the components sum to the total.")
    explanation: str = strawberry.field(
        description="English: every point gained or lost, and what one point is worth in money."
    )
    explanation_parts: list[ExplanationPart] = strawberry.field(
        default_factory=list,
        description="The explanation as localizable pieces, in order: their English renderings joined "
        "give `explanation`. Empty on a score stored before parts existed (it gains them when rescored). "
        "Budget hidden: without the budget pieces, as `explanation` is without the budget sentence.",
    )

    @classmethod
    def of(cls, component: model.ScoreComponent) -> ScoreComponent:
        return cls(
            criterion=component.criterion,
            value=component.value,
            weight=component.weight,
            contribution=component.contribution,
            explanation=component.explanation,
            explanation_parts=[ExplanationPart.of(part) for part in component.explanation_parts],
        )


@strawberry.type(
    description="A proposal's score. While the RFP's budget is not disclosed, a vendor gets the "
    "budget-hidden view (budgetHidden true): nothing in it depends on the budget."
)
class ProposalScore:
    total: float = strawberry.field(
        description="0-100, the sum of the components' contributions. Budget hidden: the sum of the "
        "SLA-quality and lock-in contributions only."
    )
    sla_quality: float = strawberry.field(description="0-100, higher is better.")
    lock_in_exposure: float = strawberry.field(
        description="0-100, higher is worse; enters the total as 100 minus it."
    )
    cost_score: float = strawberry.field(
        description="0-100 against the RFP's budget. Budget hidden: 0 (not scored for you)."
    )
    normalized_monthly_cost: Money = strawberry.field(
        description="The money committed a month at the expected volume: escalation over the "
        "committed horizon and the one-time fee spread in."
    )
    monthly_cost_low: Money = strawberry.field(description="The same at the RFP's low volume.")
    monthly_cost_high: Money = strawberry.field(description="The same at the RFP's high volume.")
    exit_cost: Money = strawberry.field(
        description="What leaving would cost the buyer: notice, penalty, uncovered transition, knowledge "
        "loss, data rebuild."
    )
    meets_requirements: bool = strawberry.field(
        description="Whether an enforceable KPI meets every requirement of the RFP."
    )
    eligible: bool = strawberry.field(
        description="Meets every requirement AND within budget; findings say why not (ranked first)."
    )
    findings: list[Finding] = strawberry.field(
        description="Budget hidden: without the findings that depend on the budget (OVER_BUDGET)."
    )
    components: list[ScoreComponent] = strawberry.field(
        description="Budget hidden: without the cost component (its value and explanation name the budget)."
    )
    scoring_version: str = strawberry.field(
        description='The scoring rules that computed it, e.g. "2026.11-2".'
    )
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
            components=[ScoreComponent.of(component) for component in score.components],
            scoring_version=score.scoring_version,
            budget_hidden=score.budget_hidden,
        )


# ------------------------------------------------------------------------------------- RFPs and proposals
