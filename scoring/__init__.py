"""rfpmarket's scoring engine: pure functions from a proposal and an RFP to an explained score.

    score(terms, rfp)        -> ProposalScore (three criteria, components, findings)
    reweigh(score, weights)  -> the same score under other weights, nothing rescored
    rank(entries)            -> eligible first, then meets requirements, total, criteria, time, key
    rank_stability(...)      -> how often rank 1 survives perturbed weights

No I/O, no clock, no global state: the same inputs give the same score, bit for bit.
Formulas and constants: docs/scoring.md and each module's docstring.
"""

from __future__ import annotations

from scoring.budget import (
    BUDGET_FINDINGS,
    BUDGET_MARK,
    budget_parts,
    budget_sentence,
    split_budget,
    with_budget,
)
from scoring.cost import CurrencyMismatch, assess_cost, check_currency, money_per_cost_point
from scoring.lockin import assess_lock_in
from scoring.messages import explain
from scoring.model import (
    DEFAULT_EVALUATION_MONTHS,
    DEFAULT_WEIGHTS,
    Cadence,
    Comparator,
    ComputedMoney,
    ContractTerms,
    EscalationStep,
    Finding,
    FindingCode,
    FlatMonthlyPricing,
    Kpi,
    KpiMetric,
    KpiRequirement,
    KpiUnit,
    Money,
    OutcomeBasedPricing,
    Ownership,
    PerUnitPricing,
    Pricing,
    ProposalScore,
    ProposalTerms,
    Remedy,
    RemedyType,
    RfpContext,
    ScoreComponent,
    ScoringInputError,
    Severity,
    Sla,
    TimeAndMaterialsPricing,
    VolumeScenario,
    Weights,
    in_decimal_context,
    money,
)
from scoring.rank import (
    RankedEntry,
    RankInput,
    abnormally_low,
    build_components,
    criteria_in_weight_order,
    criterion_values,
    entering_values,
    gate,
    gate_of,
    low_by_next,
    low_price_finding,
    low_price_from_sums,
    low_price_references,
    low_price_summary,
    order_key,
    rank,
    rank_stability,
    rank_stability_of,
    ranking_sort_key,
    reweigh,
    running_total,
    total_under,
    under_weights,
)
from scoring.sla import assess_sla

# Change whenever a formula or constant changes (year.month-sequence); stored scores carry the version
# they were computed with and are recomputed when it differs.
SCORING_VERSION = "2026.11-2"

__all__ = [
    "BUDGET_FINDINGS",
    "BUDGET_MARK",
    "DEFAULT_EVALUATION_MONTHS",
    "DEFAULT_WEIGHTS",
    "SCORING_VERSION",
    "Cadence",
    "Comparator",
    "ContractTerms",
    "CurrencyMismatch",
    "EscalationStep",
    "Finding",
    "FindingCode",
    "FlatMonthlyPricing",
    "Kpi",
    "KpiMetric",
    "KpiRequirement",
    "KpiUnit",
    "Money",
    "OutcomeBasedPricing",
    "Ownership",
    "PerUnitPricing",
    "Pricing",
    "ProposalScore",
    "ProposalTerms",
    "RankInput",
    "RankedEntry",
    "Remedy",
    "RemedyType",
    "RfpContext",
    "ScoreComponent",
    "ScoringInputError",
    "Severity",
    "Sla",
    "TimeAndMaterialsPricing",
    "VolumeScenario",
    "Weights",
    "abnormally_low",
    "budget_parts",
    "budget_sentence",
    "criteria_in_weight_order",
    "criterion_values",
    "gate",
    "gate_of",
    "low_by_next",
    "low_price_finding",
    "low_price_from_sums",
    "low_price_references",
    "low_price_summary",
    "order_key",
    "rank",
    "rank_stability",
    "rank_stability_of",
    "ranking_sort_key",
    "reweigh",
    "running_total",
    "score",
    "split_budget",
    "total_under",
    "under_weights",
    "with_budget",
]


@in_decimal_context
def score(terms: ProposalTerms, rfp: RfpContext, weights: Weights | None = None) -> ProposalScore:
    """Score one proposal against its RFP. Raises CurrencyMismatch for money not in the RFP's currency
    and ScoringInputError for a price that cannot be applied to the RFP's figures (unit, outcomes)."""
    check_currency(terms, rfp.currency_code)
    code = rfp.currency_code
    weights = weights if weights is not None else rfp.weights
    cost = assess_cost(terms, rfp)
    sla = assess_sla(terms.sla, rfp.requirements, terms.terms.term_months)
    lock_in = assess_lock_in(terms.terms, cost.expected, code)
    values = entering_values(float(sla.score), float(lock_in.exposure), float(cost.score))
    budget = rfp.monthly_budget.amount
    per_point = money_per_cost_point(budget)
    # Each explanation is its parts joined: the body, then the budget parts (scoring.budget).
    parts = (
        (*sla.explanation_parts, *budget_parts("slaQuality", per_point, code, weights)),
        (*lock_in.explanation_parts, *budget_parts("lockIn", per_point, code, weights)),
        (*cost.explanation_parts, *budget_parts("cost", per_point, code, weights, cost.budget_parts)),
    )
    explanations = [explain(said) for said in parts]
    components, total = build_components(values, explanations, weights, parts)
    within_budget = cost.expected <= budget
    return ProposalScore(
        total=total,
        sla_quality=float(sla.score),
        lock_in_exposure=float(lock_in.exposure),
        cost_score=float(cost.score),
        normalized_monthly_cost=money(cost.expected, code),
        monthly_cost_low=money(cost.low, code),
        monthly_cost_high=money(cost.high, code),
        exit_cost=money(lock_in.exit_cost, code),
        meets_requirements=sla.meets_requirements,
        eligible=sla.meets_requirements and within_budget,
        findings=sla.findings + lock_in.findings + cost.findings,
        components=components,
        scoring_version=SCORING_VERSION,
        cost_point_worth=ComputedMoney(amount=per_point, currency_code=code),
    )
