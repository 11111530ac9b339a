"""The primer's worked examples: the $14K/month support desk done well, and done badly."""

from __future__ import annotations

from decimal import Decimal

from scoring import FindingCode, score
from tests.scoring.strategies import good_support_desk, poor_support_desk, support_desk_rfp


def test_the_14k_flat_support_desk_scores_well() -> None:
    result = score(good_support_desk(), support_desk_rfp())
    assert result.meets_requirements
    assert result.total > 75
    assert result.sla_quality == 100.0
    assert result.lock_in_exposure == 0.0
    assert result.cost_score == 62.67  # 100 - 40 x 14000/15000
    assert result.total == 86.9345  # 40 + 25 + 21.9345 under the default weights 0.4 / 0.25 / 0.35
    assert result.normalized_monthly_cost.amount == Decimal("14000.00")
    assert result.findings == ()


def test_a_tickets_closed_sla_without_remedies_on_a_36_month_vendor_owned_deal_scores_poorly() -> None:
    result = score(poor_support_desk(), support_desk_rfp())
    assert result.total < 40
    found = {f.code for f in result.findings}
    assert {FindingCode.GAMEABLE_METRIC, FindingCode.NO_OUTCOME_METRIC, FindingCode.NO_REMEDIES} <= found
    assert {FindingCode.LONG_TERM, FindingCode.VENDOR_OWNS_RUNBOOKS, FindingCode.REQUIREMENT_NOT_MET} <= found
    assert not result.meets_requirements
    assert result.sla_quality <= 25
