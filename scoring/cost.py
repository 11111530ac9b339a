"""Normalized monthly cost (the money the buyer commits to) and the absolute cost score (version 2).

Every pricing model becomes an expected monthly cost in the RFP's currency at a volume v:
    flat monthly       fee
    per unit           max(unit price x v, minimum monthly fee)       (unit must be the RFP's volume unit)
    outcome-based      base fee + fee per outcome x outcomes(v)      (the RFP must state its outcomes)
    T&M with cap       min(hourly rate x hours(v), monthly cap); without the RFP's hours the cap: the
                       vendor's own estimate is not what the buyer commits to
then cost(v) = recurring(v) x escalation factor + one-time fee / min(evaluation months, term months).

outcomes(v) and hours(v) are the RFP's expected figures scaled by v / expected volume for the low and
high scenarios. The escalation factor averages the yearly price steps over the committed horizon
H = max(evaluation months, term months): month m pays (1 + e)^(year(m) - 1), year(m) = ceil(m / 12).
Both readings are the conservative one: escalation over the whole commitment, a one-time fee over no
more months than the term (nor the evaluation horizon).

The cost score depends on the proposal's own cost C and the budget B only (never on the other bids):
    score = 100 / (1 + (C/B)^3)
100 at zero cost, 88.89 at half the budget, 50 at the budget, 11.11 at twice it, 0.10 at ten times:
it keeps falling past the budget and moves most across the realistic range (0.5B-1.5B: 66 points,
as widely as the other criteria move). Near the budget one point is worth B/75 a month (the slope of
the curve at C = B is 75 points per budget). With a zero budget: 100 for a zero cost, else 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from scoring.findings import finding
from scoring.messages import explain, money, number, part, points, text
from scoring.model import (
    ExplanationCode,
    ExplanationPart,
    Finding,
    FindingCode,
    FlatMonthlyPricing,
    MessageCode,
    Money,
    OutcomeBasedPricing,
    PerUnitPricing,
    ProposalTerms,
    RfpContext,
    ScoringInputError,
    Term,
    TermKind,
    TimeAndMaterialsPricing,
    round_minor,
    round_points,
    to_decimal,
)

SCORE_AT_ZERO = Decimal(100)
STEEPNESS = 3  # the exponent of C/B: 75 points per budget at the budget
POINTS_PER_BUDGET_AT_BUDGET = Decimal(75)  # 100 x 3 / (1 + 1)^2
MONTHS_PER_YEAR = 12


class CurrencyMismatch(ValueError):
    """A money figure of the proposal is not in the RFP's currency: refused, never converted."""

    def __init__(self, path: tuple[str, ...], found: str, expected: str) -> None:
        super().__init__(f"{'.'.join(path)} is in {found}, the RFP is in {expected}")
        self.path = path  # camelCase input path, for the API's UserError.field
        self.found = found
        self.expected = expected


def check_currency(terms: ProposalTerms, currency_code: str) -> None:
    pricing = terms.pricing
    named: list[tuple[tuple[str, ...], Money | None]] = [
        (("pricing", pricing.model, info.alias or name, "currencyCode"), getattr(pricing, name))
        for name, info in type(pricing).model_fields.items()
    ]
    named.append((("oneTimeFee", "currencyCode"), terms.one_time_fee))
    for path, amount in named:
        if isinstance(amount, Money) and amount.currency_code != currency_code:
            raise CurrencyMismatch(path, amount.currency_code, currency_code)


def _words(name: str) -> set[str]:
    # Case, spacing and a plural "s" do not change a unit: "Tickets" is "ticket".
    return {
        word[:-1] if len(word) > 3 and word.endswith("s") else word
        for word in re.findall(r"[a-z0-9]+", name.lower())
    }


def same_unit(priced_in: str, volume_unit: str) -> bool:
    """A price per `priced_in` applies to the RFP's volume: every word of the volume unit is in it
    ("support tickets" and "resolved tickets" are tickets; "minutes" are not)."""
    wanted = _words(volume_unit)
    return bool(wanted) and wanted <= _words(priced_in)


def check_pricing(terms: ProposalTerms, rfp: RfpContext) -> None:
    """Refuse, naming the input path, a price that cannot be multiplied by the RFP's figures."""
    pricing = terms.pricing
    unit = rfp.volume.unit_name
    if isinstance(pricing, PerUnitPricing) and not same_unit(pricing.unit_name, unit):
        raise ScoringInputError(
            ("pricing", "perUnit", "unitName"),
            f"the price is per {pricing.unit_name!r} but the RFP's volume is in {unit!r}: quote per {unit}",
        )
    if isinstance(pricing, OutcomeBasedPricing):
        if rfp.expected_outcomes_per_month is None:
            raise ScoringInputError(
                ("pricing", "outcomeBased"),
                "this RFP states no expectedOutcomesPerMonth, so outcome-based pricing cannot be compared",
            )
        if not same_unit(pricing.outcome_name, unit):
            raise ScoringInputError(
                ("pricing", "outcomeBased", "outcomeName"),
                f"the fee is per {pricing.outcome_name!r}, not a kind of the RFP's {unit!r}",
            )


@dataclass(frozen=True)
class CostAssessment:
    expected: Decimal  # rounded to the minor unit: the figure shown is the figure scored
    low: Decimal
    high: Decimal
    score: Decimal
    findings: tuple[Finding, ...]
    explanation: str  # says nothing about the budget
    explanation_parts: tuple[ExplanationPart, ...]
    budget_parts: tuple[ExplanationPart, ...]  # everything budget-derived, kept apart (see scoring.budget)


def horizon_months(terms: ProposalTerms, rfp: RfpContext) -> int:
    return max(rfp.evaluation_months, terms.terms.term_months)


def spread_months(terms: ProposalTerms, rfp: RfpContext) -> int:
    return min(rfp.evaluation_months, terms.terms.term_months)


def assess_cost(terms: ProposalTerms, rfp: RfpContext) -> CostAssessment:
    check_pricing(terms, rfp)
    code = rfp.currency_code
    volume = rfp.volume
    factor = escalation_factor(terms.annual_escalation_percent, horizon_months(terms, rfp))
    one_time = terms.one_time_fee.amount / spread_months(terms, rfp) if terms.one_time_fee else Decimal(0)

    def at(units: float) -> Decimal:
        return round_minor(recurring_cost(terms, rfp, to_decimal(units)) * factor + one_time, code)

    expected, low, high = at(volume.expected), at(volume.low), at(volume.high)
    budget = rfp.monthly_budget.amount
    score, score_part = cost_score(expected, budget)
    findings = _findings(terms, rfp, expected, high, budget)
    scenarios = part(
        ExplanationCode.COST_SCENARIOS,
        number("low", volume.low),
        number("high", volume.high),
        text("unit", volume.unit_name),
        money("lowCost", low, code),
        money("highCost", high, code),
    )
    parts = (_recurring_part(terms, rfp), *_extras_parts(terms, rfp, factor, expected), scenarios)
    budget_parts = (
        part(ExplanationCode.COST_BUDGET, money("budget", round_minor(budget, code), code)),
        score_part,
    )
    return CostAssessment(expected, low, high, score, tuple(findings), explain(parts), parts, budget_parts)


def recurring_cost(terms: ProposalTerms, rfp: RfpContext, volume: Decimal) -> Decimal:
    pricing = terms.pricing
    if isinstance(pricing, FlatMonthlyPricing):
        return pricing.monthly_fee.amount
    if isinstance(pricing, PerUnitPricing):
        minimum = pricing.minimum_monthly_fee.amount if pricing.minimum_monthly_fee else Decimal(0)
        return max(pricing.unit_price.amount * volume, minimum)
    if isinstance(pricing, OutcomeBasedPricing):
        base = pricing.base_monthly_fee.amount if pricing.base_monthly_fee else Decimal(0)
        return base + pricing.fee_per_outcome.amount * expected_outcomes(rfp, volume)
    hours = expected_hours(rfp, volume)
    if hours is None:
        return pricing.monthly_cap.amount
    return min(pricing.hourly_rate.amount * hours, pricing.monthly_cap.amount)


def _volume_ratio(rfp: RfpContext, volume: Decimal) -> Decimal:
    # Outcomes and hours follow the workload: the low/high scenarios scale them with the volume.
    expected = to_decimal(rfp.volume.expected)
    return volume / expected if expected else Decimal(1)


def expected_outcomes(rfp: RfpContext, volume: Decimal) -> Decimal:
    outcomes = rfp.expected_outcomes_per_month
    return (to_decimal(outcomes) if outcomes is not None else Decimal(0)) * _volume_ratio(rfp, volume)


def expected_hours(rfp: RfpContext, volume: Decimal) -> Decimal | None:
    """The RFP's hours; None when the buyer states none (then the cap, the money committed, is priced)."""
    hours = rfp.expected_hours_per_month
    if hours is None:
        return None
    return to_decimal(hours) * _volume_ratio(rfp, volume)


def escalation_factor(annual_percent: float, months: int) -> Decimal:
    """Mean price multiplier over `months` when prices rise by `annual_percent` each contract year."""
    step = 1 + to_decimal(annual_percent) / 100
    full_years, rest = divmod(months, MONTHS_PER_YEAR)
    paid = sum((MONTHS_PER_YEAR * step**year for year in range(full_years)), Decimal(0))
    paid += rest * step**full_years
    return paid / months


def cost_score(cost: Decimal, budget: Decimal) -> tuple[Decimal, ExplanationPart]:
    if budget == 0:
        score = SCORE_AT_ZERO if cost == 0 else Decimal(0)
        return score, part(ExplanationCode.COST_ZERO_BUDGET, points("score", score))
    ratio = cost / budget
    score = round_points(SCORE_AT_ZERO / (1 + ratio**STEEPNESS))
    shown_ratio = Term(name="ratio", kind=TermKind.NUMBER, value=str(ratio.quantize(Decimal("0.0001"))))
    return score, part(ExplanationCode.COST_RATIO, shown_ratio, points("score", score))


def money_per_cost_point(budget: Decimal) -> Decimal:
    """What one cost-score point is worth a month near the budget (the slope of the curve there)."""
    return (budget / POINTS_PER_BUDGET_AT_BUDGET).quantize(Decimal("0.0001"))


def _findings(
    terms: ProposalTerms, rfp: RfpContext, expected: Decimal, high: Decimal, budget: Decimal
) -> list[Finding]:
    findings: list[Finding] = []
    pricing = terms.pricing
    currency = rfp.currency_code
    uncapped = FindingCode.UNCAPPED_COST, MessageCode.UNCAPPED_COST
    if isinstance(pricing, PerUnitPricing):
        named = [text("unit", pricing.unit_name)]
        findings.append(finding(*uncapped, named, "pricing", "perUnit", "unitPrice"))
    elif isinstance(pricing, OutcomeBasedPricing):
        named = [text("unit", pricing.outcome_name)]
        findings.append(finding(*uncapped, named, "pricing", "outcomeBased", "feePerOutcome"))
    elif isinstance(pricing, TimeAndMaterialsPricing):
        findings.extend(_time_and_materials(pricing, rfp))
    if expected > budget:
        named = [money("cost", expected, currency), money("budget", round_minor(budget, currency), currency)]
        findings.append(finding(FindingCode.OVER_BUDGET, MessageCode.OVER_BUDGET, named, "pricing"))
    elif high > budget:
        named = [
            number("volume", rfp.volume.high),
            text("unit", rfp.volume.unit_name),
            money("cost", high, currency),
            money("budget", round_minor(budget, currency), currency),
        ]
        said = MessageCode.HIGH_VOLUME_OVER_BUDGET
        findings.append(finding(FindingCode.HIGH_VOLUME_OVER_BUDGET, said, named, "pricing"))
    return findings


def _time_and_materials(pricing: TimeAndMaterialsPricing, rfp: RfpContext) -> list[Finding]:
    base = ("pricing", "timeAndMaterials")
    currency = rfp.currency_code
    if rfp.expected_hours_per_month is None:
        estimate = pricing.estimated_hours_per_month
        if estimate is None:
            said, terms = MessageCode.HOURS_NOT_FROM_RFP, []
        else:
            said, terms = MessageCode.HOURS_ONLY_ESTIMATED, [number("hours", estimate, TermKind.HOURS)]
        field = "estimatedHoursPerMonth" if estimate is not None else "monthlyCap"
        return [finding(FindingCode.HOURS_NOT_FROM_RFP, said, terms, *base, field)]
    hours = to_decimal(rfp.expected_hours_per_month)
    rate = pricing.hourly_rate.amount
    if rate * hours > pricing.monthly_cap.amount:
        covered = (pricing.monthly_cap.amount / rate).quantize(Decimal("0.1")) if rate else hours
        terms = [
            money("cap", round_minor(pricing.monthly_cap.amount, currency), currency),
            number("covered", covered, TermKind.HOURS),
            Term(name="hours", kind=TermKind.HOURS, value=f"{hours.normalize():f}"),
        ]
        said = MessageCode.CAP_BELOW_WORKLOAD
        return [finding(FindingCode.CAP_BELOW_WORKLOAD, said, terms, *base, "monthlyCap")]
    return []


def _recurring_part(terms: ProposalTerms, rfp: RfpContext) -> ExplanationPart:
    pricing = terms.pricing
    code = rfp.currency_code
    volume = to_decimal(rfp.volume.expected)
    recurring = money("recurring", round_minor(recurring_cost(terms, rfp, volume), code), code)
    if isinstance(pricing, FlatMonthlyPricing):
        return part(ExplanationCode.COST_FLAT, recurring)
    if isinstance(pricing, PerUnitPricing):
        minimum = pricing.minimum_monthly_fee
        named = [
            money("unitPrice", pricing.unit_price.amount, code),
            number("volume", rfp.volume.expected),
            text("unit", pricing.unit_name),
        ]
        if minimum is None:
            return part(ExplanationCode.COST_PER_UNIT, *named, recurring)
        floor = money("minimum", round_minor(minimum.amount, code), code)
        return part(ExplanationCode.COST_PER_UNIT_MINIMUM, *named, floor, recurring)
    if isinstance(pricing, OutcomeBasedPricing):
        base = round_minor(pricing.base_monthly_fee.amount if pricing.base_monthly_fee else Decimal(0), code)
        outcomes = expected_outcomes(rfp, volume)
        return part(
            ExplanationCode.COST_OUTCOME_BASED,
            money("baseFee", base, code),
            money("feePerOutcome", pricing.fee_per_outcome.amount, code),
            Term(name="outcomes", kind=TermKind.NUMBER, value=f"{outcomes.normalize():f}"),
            text("outcome", pricing.outcome_name),
            recurring,
        )
    hours = expected_hours(rfp, volume)
    cap = money("cap", round_minor(pricing.monthly_cap.amount, code), code)
    if hours is None:
        return part(ExplanationCode.COST_CAP_PRICED, cap)
    return part(
        ExplanationCode.COST_TIME_AND_MATERIALS,
        money("hourlyRate", pricing.hourly_rate.amount, code),
        Term(name="hours", kind=TermKind.HOURS, value=f"{hours.normalize():f}"),
        cap,
        recurring,
    )


def _extras_parts(
    terms: ProposalTerms, rfp: RfpContext, factor: Decimal, expected: Decimal
) -> list[ExplanationPart]:
    parts: list[ExplanationPart] = []
    if factor != 1:
        parts.append(
            part(
                ExplanationCode.COST_ESCALATION,
                number("percent", terms.annual_escalation_percent, TermKind.PERCENT),
                number("months", horizon_months(terms, rfp), TermKind.MONTHS),
                Term(name="factor", kind=TermKind.NUMBER, value=str(factor.quantize(Decimal("0.000001")))),
            )
        )
    if terms.one_time_fee:
        fee = money("fee", round_minor(terms.one_time_fee.amount, rfp.currency_code), rfp.currency_code)
        months = number("months", spread_months(terms, rfp), TermKind.MONTHS)
        parts.append(part(ExplanationCode.COST_ONE_TIME_FEE, fee, months))
    if parts:
        parts.append(part(ExplanationCode.COST_WITH_EXTRAS, money("cost", expected, rfp.currency_code)))
    return parts
