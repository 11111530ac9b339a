"""Normalized monthly cost for each pricing model, and the absolute cost score."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring import (
    CurrencyMismatch,
    FindingCode,
    FlatMonthlyPricing,
    Money,
    OutcomeBasedPricing,
    PerUnitPricing,
    ProposalScore,
    ProposalTerms,
    RfpContext,
    ScoringInputError,
    TimeAndMaterialsPricing,
    VolumeScenario,
    score,
)
from scoring.cost import cost_score, escalation_factor
from tests.scoring.strategies import good_support_desk, support_desk_rfp, usd


def priced(pricing: object, **extra: object) -> ProposalTerms:
    return good_support_desk().model_copy(update={"pricing": pricing, **extra})


def rfp(**changes: object) -> RfpContext:
    return support_desk_rfp().model_copy(update=changes)


def costs(result: ProposalScore) -> tuple[str, str, str]:
    return (
        str(result.monthly_cost_low.amount),
        str(result.normalized_monthly_cost.amount),
        str(result.monthly_cost_high.amount),
    )


def findings(result: ProposalScore) -> set[FindingCode]:
    return {f.code for f in result.findings}


def test_flat_fee_plus_one_time_fee_amortized_over_the_horizon() -> None:
    result = score(priced(FlatMonthlyPricing(monthly_fee=usd(14000)), one_time_fee=usd(6000)), rfp())
    assert costs(result) == ("14500.00", "14500.00", "14500.00")
    explanation = next(c.explanation for c in result.components if c.criterion == "cost")
    assert "flat monthly fee 14000.00 USD + one-time fee 6000.00/12 months = 14500.00 USD" in explanation
    assert "budget 15000.00 USD" in explanation
    assert FindingCode.UNCAPPED_COST not in findings(result)


def test_per_unit_at_each_volume_never_below_the_minimum_fee() -> None:
    pricing = PerUnitPricing(unit_price=usd("4.50"), unit_name="ticket", minimum_monthly_fee=usd(10000))
    result = score(priced(pricing), rfp())  # volumes 2000 / 3000 / 4500
    assert costs(result) == ("10000.00", "13500.00", "20250.00")
    assert FindingCode.UNCAPPED_COST in findings(result)
    assert FindingCode.OVER_BUDGET not in findings(result)


def test_outcome_based_base_plus_fee_per_outcome() -> None:
    pricing = OutcomeBasedPricing(
        base_monthly_fee=usd(2000), fee_per_outcome=usd(25), outcome_name="resolved ticket"
    )
    result = score(priced(pricing), rfp(expected_outcomes_per_month=400.0))
    # outcomes follow the volume scenario: 400 x 2000/3000 and 400 x 4500/3000
    assert costs(result) == ("8666.67", "12000.00", "17000.00")
    assert FindingCode.UNCAPPED_COST in findings(result)


def test_the_engine_refuses_prices_the_rfp_cannot_multiply() -> None:
    outcome = OutcomeBasedPricing(fee_per_outcome=usd(25), outcome_name="resolved ticket")
    with pytest.raises(ScoringInputError) as no_outcomes:  # not only the API: the engine itself
        score(priced(outcome), rfp())
    assert no_outcomes.value.path == ("pricing", "outcomeBased")
    with pytest.raises(ScoringInputError) as other_outcome:
        score(
            priced(outcome.model_copy(update={"outcome_name": "lead"})), rfp(expected_outcomes_per_month=1.0)
        )
    assert other_outcome.value.path == ("pricing", "outcomeBased", "outcomeName")
    minutes = PerUnitPricing(unit_price=usd("0.50"), unit_name="minutes")  # the RFP counts tickets
    with pytest.raises(ScoringInputError) as per_minute:
        score(priced(minutes), rfp())
    assert per_minute.value.path == ("pricing", "perUnit", "unitName")
    assert "'ticket'" in str(per_minute.value)
    # case, spacing and plurals are the same unit
    assert score(priced(minutes.model_copy(update={"unit_name": " Tickets "})), rfp()).cost_score > 0


def test_time_and_materials_is_priced_on_the_rfps_hours_never_the_vendors_estimate() -> None:
    pricing = TimeAndMaterialsPricing(
        hourly_rate=usd(80), monthly_cap=usd(10000), estimated_hours_per_month=100
    )
    estimate = score(priced(pricing), rfp())  # the RFP states no hours: the cap is what is committed
    assert estimate.normalized_monthly_cost.amount == Decimal("10000.00")
    [hours] = [f for f in estimate.findings if f.code is FindingCode.HOURS_NOT_FROM_RFP]
    assert hours.path == ("pricing", "timeAndMaterials", "estimatedHoursPerMonth")
    result = score(priced(pricing), rfp(expected_hours_per_month=150.0))  # the RFP's hours
    assert costs(result) == ("8000.00", "10000.00", "10000.00")
    assert FindingCode.UNCAPPED_COST not in findings(result)
    # 150 hours x 80 = 12000 > the 10000 cap: the cap buys 125 of the 150 hours
    [short] = [f for f in result.findings if f.code is FindingCode.CAP_BELOW_WORKLOAD]
    assert short.path == ("pricing", "timeAndMaterials", "monthlyCap") and "125.0 of" in short.message
    enough = score(priced(pricing), rfp(expected_hours_per_month=100.0))
    assert FindingCode.CAP_BELOW_WORKLOAD not in findings(enough)


def test_escalation_a_12_month_horizon_sees_none() -> None:
    assert escalation_factor(3.0, 12) == 1
    result = score(priced(FlatMonthlyPricing(monthly_fee=usd(10000)), annual_escalation_percent=10.0), rfp())
    assert result.normalized_monthly_cost.amount == Decimal("10000.00")


def test_escalation_over_36_months_at_3_percent() -> None:
    # (12 x 1 + 12 x 1.03 + 12 x 1.0609) / 36 = 1.0303 exactly
    assert escalation_factor(3.0, 36) == Decimal("1.0303")
    result = score(
        priced(FlatMonthlyPricing(monthly_fee=usd(10000)), annual_escalation_percent=3.0),
        rfp(evaluation_months=36),
    )
    assert result.normalized_monthly_cost.amount == Decimal("10303.00")


def test_escalation_over_a_partial_year() -> None:
    # 12 months at 1.00 and 6 months at 1.10: 18.6 / 18
    assert escalation_factor(10.0, 18) == Decimal("18.6") / 18
    result = score(
        priced(
            FlatMonthlyPricing(monthly_fee=usd(10000)), annual_escalation_percent=10.0, one_time_fee=usd(900)
        ),
        rfp(evaluation_months=18),
    )
    # 10333.33... + 900 over the 12-month term (not the 18-month horizon)
    assert result.normalized_monthly_cost.amount == Decimal("10408.33")


def test_escalation_is_averaged_over_the_committed_term() -> None:
    flat = priced(FlatMonthlyPricing(monthly_fee=usd(10000)))
    long = flat.model_copy(update={"terms": flat.terms.model_copy(update={"term_months": 36})})
    escalating = long.model_copy(update={"annual_escalation_percent": 50.0})
    # default 12-month horizon, but 36 committed months: (12 + 18 + 27) / 36 x 10000 = 15833.33
    assert score(escalating, rfp()).normalized_monthly_cost.amount == Decimal("15833.33")
    assert score(escalating, rfp()).cost_score < score(long, rfp()).cost_score
    explanation = next(c.explanation for c in score(escalating, rfp()).components if c.criterion == "cost")
    assert "averaged over 36 committed months" in explanation


def test_a_one_time_fee_is_spread_over_no_more_months_than_the_term() -> None:
    plain = priced(FlatMonthlyPricing(monthly_fee=usd(12000)))
    fee = priced(FlatMonthlyPricing(monthly_fee=usd(1000)), one_time_fee=usd(150000))
    # 12-month contract, 36-month evaluation: 1000 + 150000/12 = 13500, not 1000 + 150000/36 = 5166.67
    result = score(fee, rfp(evaluation_months=36))
    assert result.normalized_monthly_cost.amount == Decimal("13500.00")
    assert result.cost_score < score(plain, rfp(evaluation_months=36)).cost_score


@pytest.mark.parametrize(
    ("cost", "budget", "expected"),
    [
        ("0", "15000", "100.00"),
        ("7500", "15000", "88.89"),  # 100 / (1 + 0.125)
        ("15000", "15000", "50.00"),
        ("22500", "15000", "22.86"),  # 100 / (1 + 3.375)
        ("30000", "15000", "11.11"),  # 100 / 9
        ("90000", "15000", "0.46"),  # 100 / 217
        ("150000", "15000", "0.10"),  # 100 / 1001: ten times the budget still scores below twice
        ("0", "0", "100.00"),
        ("0.01", "0", "0.00"),
    ],
)
def test_cost_score_is_absolute_and_keeps_falling_past_the_budget(
    cost: str, budget: str, expected: str
) -> None:
    assert cost_score(Decimal(cost), Decimal(budget))[0] == Decimal(expected)


def test_zero_price_and_zero_budget_do_not_crash() -> None:
    free = priced(FlatMonthlyPricing(monthly_fee=usd(0)))
    assert score(free, rfp()).cost_score == 100
    assert score(free, rfp(monthly_budget=usd(0))).cost_score == 100
    paid = score(priced(FlatMonthlyPricing(monthly_fee=usd(1))), rfp(monthly_budget=usd(0)))
    assert paid.cost_score == 0 and FindingCode.OVER_BUDGET in findings(paid)
    per_unit = PerUnitPricing(unit_price=usd(0), unit_name="ticket")
    zero_volume = VolumeScenario(unit_name="ticket", expected=0)
    assert score(priced(per_unit), rfp(volume=zero_volume)).cost_score == 100


def test_over_budget_is_critical() -> None:
    result = score(priced(FlatMonthlyPricing(monthly_fee=usd("15000.01"))), rfp())
    [over] = [f for f in result.findings if f.code is FindingCode.OVER_BUDGET]
    assert over.severity.value == "CRITICAL"


@pytest.mark.parametrize(
    ("terms", "path"),
    [
        (
            priced(FlatMonthlyPricing(monthly_fee=Money(amount=Decimal(1), currency_code="EUR"))),
            ("pricing", "flatMonthly", "monthlyFee", "currencyCode"),
        ),
        (
            priced(
                FlatMonthlyPricing(monthly_fee=usd(1)),
                one_time_fee=Money(amount=Decimal(1), currency_code="EUR"),
            ),
            ("oneTimeFee", "currencyCode"),
        ),
        (
            priced(
                PerUnitPricing(
                    unit_price=usd(1),
                    unit_name="ticket",
                    minimum_monthly_fee=Money(amount=Decimal(1), currency_code="GBP"),
                )
            ),
            ("pricing", "perUnit", "minimumMonthlyFee", "currencyCode"),
        ),
    ],
)
def test_money_in_another_currency_is_refused(terms: ProposalTerms, path: tuple[str, ...]) -> None:
    with pytest.raises(CurrencyMismatch) as raised:
        score(terms, rfp())
    assert raised.value.path == path
    assert isinstance(raised.value, ValueError)
