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
    pricing = OutcomeBasedPricing(base_monthly_fee=usd(2000), fee_per_outcome=usd(25), outcome_name="lead")
    result = score(priced(pricing), rfp(expected_outcomes_per_month=400.0))
    # outcomes follow the volume scenario: 400 x 2000/3000 and 400 x 4500/3000
    assert costs(result) == ("8666.67", "12000.00", "17000.00")
    assert FindingCode.UNCAPPED_COST in findings(result)
    unknown = score(priced(pricing), rfp())  # no expected outcomes: counted as 0, and said so
    assert unknown.normalized_monthly_cost.amount == Decimal("2000.00")
    [uncapped] = [f for f in unknown.findings if f.code is FindingCode.UNCAPPED_COST]
    assert "count as 0" in uncapped.message


def test_time_and_materials_never_above_the_cap() -> None:
    pricing = TimeAndMaterialsPricing(
        hourly_rate=usd(80), monthly_cap=usd(10000), estimated_hours_per_month=100
    )
    assert score(priced(pricing), rfp()).normalized_monthly_cost.amount == Decimal(
        "8000.00"
    )  # vendor's estimate
    result = score(priced(pricing), rfp(expected_hours_per_month=150.0))  # the RFP's hours win
    assert costs(result) == ("8000.00", "10000.00", "10000.00")
    assert FindingCode.UNCAPPED_COST not in findings(result)
    unknown = pricing.model_copy(update={"estimated_hours_per_month": None})
    assert score(priced(unknown), rfp()).normalized_monthly_cost.amount == Decimal("10000.00")  # cap assumed


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
    assert result.normalized_monthly_cost.amount == Decimal("10383.33")  # 10333.33... + 900/18


@pytest.mark.parametrize(
    ("cost", "budget", "expected"),
    [
        ("0", "15000", "100.00"),
        ("7500", "15000", "80.00"),
        ("15000", "15000", "60.00"),
        ("22500", "15000", "30.00"),
        ("30000", "15000", "0.00"),
        ("90000", "15000", "0.00"),
        ("0", "0", "100.00"),
        ("0.01", "0", "0.00"),
    ],
)
def test_cost_score_is_absolute_and_piecewise_linear(cost: str, budget: str, expected: str) -> None:
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
                    unit_name="t",
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
