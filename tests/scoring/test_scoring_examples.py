"""The primer's worked examples: the $14K/month support desk done well, and done badly."""

from __future__ import annotations

from decimal import Decimal

from scoring import FindingCode, score
from tests.scoring.strategies import good_support_desk, poor_support_desk, support_desk_rfp


def test_the_14k_flat_support_desk_scores_well() -> None:
    result = score(good_support_desk(), support_desk_rfp())
    assert result.meets_requirements
    assert result.total > 75
    assert result.eligible
    # headline CSAT (5% credit and a termination right after 3 of 12 months: full stake) 30
    # + requirements (1 + 0.75 for the 5% credit on first response) / 2 x 30 = 26.25
    # + accountability of the weakest carrying KPI (method, window, stake 0.5) 0.75 x 20 = 15
    # + reporting 10 + escalation 10
    assert result.sla_quality == 91.25
    assert result.lock_in_exposure == 0.0
    assert result.cost_score == 55.16  # 100 / (1 + (14000/15000)^3)
    assert result.total == 80.806  # 36.5 + 25 + 19.306 under the default weights 0.4 / 0.25 / 0.35
    assert result.normalized_monthly_cost.amount == Decimal("14000.00")
    # the only findings: the 5% credits are half a full stake
    assert {f.code for f in result.findings} == {FindingCode.WEAK_REMEDY}


def test_a_tickets_closed_sla_without_remedies_on_a_36_month_vendor_owned_deal_scores_poorly() -> None:
    result = score(poor_support_desk(), support_desk_rfp())
    assert result.total < 40
    found = {f.code for f in result.findings}
    assert {FindingCode.GAMEABLE_METRIC, FindingCode.NO_OUTCOME_METRIC, FindingCode.NO_REMEDIES} <= found
    assert {FindingCode.LONG_TERM, FindingCode.VENDOR_OWNS_RUNBOOKS, FindingCode.REQUIREMENT_NOT_MET} <= found
    assert not result.meets_requirements and not result.eligible
    assert result.sla_quality <= 25
