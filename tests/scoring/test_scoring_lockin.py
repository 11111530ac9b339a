"""Lock-in exposure points, their findings, and the exit cost formula."""

from __future__ import annotations

from decimal import Decimal

from scoring import FindingCode, Ownership, Severity, score
from scoring.lockin import assess_lock_in
from tests.scoring.strategies import STANDARD_TERMS, good_support_desk, poor_support_desk, support_desk_rfp


def test_standard_terms_carry_no_exposure() -> None:
    result = assess_lock_in(STANDARD_TERMS, Decimal("14000.00"), "USD")
    assert result.exposure == 0 and result.findings == ()
    # 3 months' notice + knowledge loss 0.75 x 0.5 (KT clause) x 0.5 (client runbooks) months; no overlap
    assert result.exit_cost == Decimal("44625.00")


def test_the_worst_terms_add_up_point_by_point() -> None:
    result = assess_lock_in(poor_support_desk().terms, Decimal("14000.00"), "USD")
    # term 36 -> 20, notice 90 -> 0, penalty 6 -> 15, auto-renewal 5, runbooks 15, tooling 10, no KT 10,
    # no transition 10, no export 5
    assert result.exposure == Decimal("90.00")
    assert {f.code for f in result.findings} == {
        FindingCode.LONG_TERM,
        FindingCode.EXIT_PENALTY,
        FindingCode.AUTO_RENEWAL,
        FindingCode.VENDOR_OWNS_RUNBOOKS,
        FindingCode.VENDOR_OWNS_TOOLING_CONFIG,
        FindingCode.NO_KNOWLEDGE_TRANSFER,
        FindingCode.NO_TRANSITION_ASSISTANCE,
        FindingCode.NO_DATA_EXPORT,
    }
    # notice 3 x 14000 + penalty 6 x 14000 + overlap 6 x 14000 + knowledge loss 0.75 x 14000
    assert result.exit_cost == Decimal("220500.00")


def test_partial_terms_score_part_of_the_points() -> None:
    terms = STANDARD_TERMS.model_copy(
        update={
            "term_months": 24,
            "termination_notice_days": 135,
            "early_termination_fee_months": 3.0,
            "runbook_ownership": Ownership.SHARED,
            "transition_assistance_months": 1,
        }
    )
    result = assess_lock_in(terms, Decimal("10000"), "USD")
    # 20 x 12/24 + 10 x 45/90 + 15 x 3/6 + 7.5 (shared runbooks) + 10 x 2/3 (1 of 3 transition months)
    assert result.exposure == Decimal("10") + 5 + Decimal("7.5") + Decimal("7.5") + Decimal("6.67")
    severities = {f.code: f.severity for f in result.findings}
    assert severities[FindingCode.VENDOR_OWNS_RUNBOOKS] is Severity.INFO
    assert severities[FindingCode.NO_TRANSITION_ASSISTANCE] is Severity.INFO
    paths = {f.code: f.path for f in result.findings}
    assert paths[FindingCode.LONG_TERM] == ("terms", "termMonths")
    assert paths[FindingCode.LONG_NOTICE] == ("terms", "terminationNoticeDays")
    # notice 4.5 months 45000 + penalty 30000 + overlap (3 + 0.75 - 1) 27500 + knowledge 0.75 x 0.5 x 0.75
    assert result.exit_cost == Decimal("45000") + 30000 + 27500 + Decimal("2812.50")


def test_exit_cost_and_exposure_are_explained_with_numbers() -> None:
    result = score(good_support_desk(), support_desk_rfp())
    explanation = next(c.explanation for c in result.components if c.criterion == "lockIn")
    assert "term 12 months 0.00/20" in explanation
    assert "Exit cost 44625.00 USD" in explanation
    assert result.exit_cost.amount == Decimal("44625.00")
