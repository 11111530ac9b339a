"""Normalized monthly cost and the absolute cost score.

Every pricing model becomes an expected monthly cost in the RFP's currency at a volume v:
    flat monthly       fee
    per unit           max(unit price x v, minimum monthly fee)
    outcome-based      base fee + fee per outcome x outcomes(v)
    T&M with cap       min(hourly rate x hours(v), monthly cap)
then cost(v) = recurring(v) x escalation factor + one-time fee / evaluation months.

outcomes(v) and hours(v) are the RFP's expected figures (hours: else the vendor's estimate, else the
cap is assumed to be reached) scaled by v / expected volume for the low and high scenarios.

The escalation factor averages the yearly price steps over the horizon N (evaluation months): month m
pays (1 + e)^(year(m) - 1), year(m) = ceil(m / 12); a 12-month horizon therefore sees none.

The cost score depends on the proposal's own cost C and the budget B only (never on the other bids):
    C <= B:       100 - 40 x C/B        (100 at zero cost, 60 at the budget)
    B < C <= 2B:  60 - 60 x (C/B - 1)   (0 at twice the budget)
    C > 2B:       0
and with a zero budget: 100 for a zero cost, else 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring.findings import finding
from scoring.model import (
    Finding,
    FindingCode,
    FlatMonthlyPricing,
    Money,
    OutcomeBasedPricing,
    PerUnitPricing,
    ProposalTerms,
    RfpContext,
    TimeAndMaterialsPricing,
    round_money,
    round_points,
    to_decimal,
)

SCORE_AT_ZERO = Decimal(100)
SCORE_AT_BUDGET = Decimal(60)
ZERO_AT_BUDGET_MULTIPLE = Decimal(2)
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


@dataclass(frozen=True)
class CostAssessment:
    expected: Decimal  # rounded to cents: the figure shown is the figure scored
    low: Decimal
    high: Decimal
    score: Decimal
    findings: tuple[Finding, ...]
    explanation: str


def assess_cost(terms: ProposalTerms, rfp: RfpContext) -> CostAssessment:
    code = rfp.currency_code
    volume = rfp.volume
    factor = escalation_factor(terms.annual_escalation_percent, rfp.evaluation_months)
    one_time = terms.one_time_fee.amount / rfp.evaluation_months if terms.one_time_fee else Decimal(0)

    def at(units: float) -> Decimal:
        return round_money(recurring_cost(terms, rfp, to_decimal(units)) * factor + one_time)

    expected, low, high = at(volume.expected), at(volume.low), at(volume.high)
    budget = rfp.monthly_budget.amount
    score, score_words = cost_score(expected, budget)
    findings = _findings(terms, expected, budget, code, rfp.expected_outcomes_per_month)
    explanation = (
        f"{_recurring_words(terms, rfp)}{_extras_words(terms, rfp, factor, expected)};"
        f" budget {round_money(budget)} {code}; {score_words};"
        f" at {volume.low:g}/{volume.high:g} {volume.unit_name}: {low}/{high} {code}"
    )
    return CostAssessment(expected, low, high, score, tuple(findings), explanation)


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
    hours = expected_hours(pricing, rfp, volume)
    if hours is None:
        return pricing.monthly_cap.amount
    return min(pricing.hourly_rate.amount * hours, pricing.monthly_cap.amount)


def _volume_ratio(rfp: RfpContext, volume: Decimal) -> Decimal:
    # Outcomes and hours follow the workload: the low/high scenarios scale them with the volume.
    expected = to_decimal(rfp.volume.expected)
    return volume / expected if expected else Decimal(1)


def expected_outcomes(rfp: RfpContext, volume: Decimal) -> Decimal:
    # None counts as zero outcomes (the brief's rule); the UNCAPPED_COST finding then says so out loud,
    # because such a bid looks as cheap as its base fee.
    outcomes = (
        to_decimal(rfp.expected_outcomes_per_month) if rfp.expected_outcomes_per_month is not None else 0
    )
    return outcomes * _volume_ratio(rfp, volume)


def expected_hours(pricing: TimeAndMaterialsPricing, rfp: RfpContext, volume: Decimal) -> Decimal | None:
    """The RFP's hours, else the vendor's estimate; None when nobody says (then the cap is assumed)."""
    hours = rfp.expected_hours_per_month
    if hours is None:
        hours = pricing.estimated_hours_per_month
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


def cost_score(cost: Decimal, budget: Decimal) -> tuple[Decimal, str]:
    if budget == 0:
        score = SCORE_AT_ZERO if cost == 0 else Decimal(0)
        return score, f"zero budget: score {score:.2f}"
    ratio = cost / budget
    if ratio <= 1:
        raw = SCORE_AT_ZERO - (SCORE_AT_ZERO - SCORE_AT_BUDGET) * ratio
        formula = "100 - 40 x cost/budget"
    elif ratio <= ZERO_AT_BUDGET_MULTIPLE:
        raw = SCORE_AT_BUDGET - SCORE_AT_BUDGET * (ratio - 1) / (ZERO_AT_BUDGET_MULTIPLE - 1)
        formula = "60 - 60 x (cost/budget - 1)"
    else:
        raw = Decimal(0)
        formula = "0 beyond twice the budget"
    score = round_points(raw)
    return score, f"cost/budget = {ratio.quantize(Decimal('0.0001'))}; score = {formula} = {score:.2f}"


def _findings(
    terms: ProposalTerms, expected: Decimal, budget: Decimal, code: str, rfp_outcomes: float | None
) -> list[Finding]:
    findings: list[Finding] = []
    pricing = terms.pricing
    if isinstance(pricing, PerUnitPricing):
        message = f"cost grows with the number of {pricing.unit_name} without a ceiling"
        findings.append(finding(FindingCode.UNCAPPED_COST, message, "pricing", "perUnit", "unitPrice"))
    elif isinstance(pricing, OutcomeBasedPricing):
        message = f"cost grows with the number of {pricing.outcome_name} without a ceiling"
        if rfp_outcomes is None:
            message += "; the RFP states no expected outcomes per month, so they count as 0"
        findings.append(
            finding(FindingCode.UNCAPPED_COST, message, "pricing", "outcomeBased", "feePerOutcome")
        )
    if expected > budget:
        message = (
            f"expected monthly cost {expected} {code} exceeds the budget of {round_money(budget)} {code}"
        )
        findings.append(finding(FindingCode.OVER_BUDGET, message, "pricing"))
    return findings


def _recurring_words(terms: ProposalTerms, rfp: RfpContext) -> str:
    pricing = terms.pricing
    code = rfp.currency_code
    volume = to_decimal(rfp.volume.expected)
    recurring = round_money(recurring_cost(terms, rfp, volume))
    if isinstance(pricing, FlatMonthlyPricing):
        return f"flat monthly fee {recurring} {code}"
    if isinstance(pricing, PerUnitPricing):
        minimum = pricing.minimum_monthly_fee
        floor = f", at least the minimum {round_money(minimum.amount)}" if minimum else ""
        return (
            f"unit price {pricing.unit_price.amount} x {rfp.volume.expected:g} {pricing.unit_name}{floor}"
            f" = {recurring} {code}"
        )
    if isinstance(pricing, OutcomeBasedPricing):
        base = round_money(pricing.base_monthly_fee.amount) if pricing.base_monthly_fee else Decimal("0.00")
        outcomes = expected_outcomes(rfp, volume)
        return (
            f"base fee {base} + {pricing.fee_per_outcome.amount} x {outcomes.normalize():f}"
            f" {pricing.outcome_name} = {recurring} {code}"
        )
    hours = expected_hours(pricing, rfp, volume)
    cap = round_money(pricing.monthly_cap.amount)
    if hours is None:
        return f"no expected hours given: the monthly cap {cap} {code} is assumed"
    return (
        f"hourly rate {pricing.hourly_rate.amount} x {hours.normalize():f} hours, at most the cap {cap}"
        f" = {recurring} {code}"
    )


def _extras_words(terms: ProposalTerms, rfp: RfpContext, factor: Decimal, expected: Decimal) -> str:
    words = ""
    if factor != 1:
        words += (
            f" x escalation {terms.annual_escalation_percent:g}%/year averaged over"
            f" {rfp.evaluation_months} months (factor {factor.quantize(Decimal('0.000001'))})"
        )
    if terms.one_time_fee:
        words += f" + one-time fee {round_money(terms.one_time_fee.amount)}/{rfp.evaluation_months} months"
    if words:
        words += f" = {expected} {rfp.currency_code}"
    return words
