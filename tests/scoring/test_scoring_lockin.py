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
    # term 36 -> 22 (1 - e^-1) = 13.9067, notice 90 -> 0, penalty 6 -> 15 (1 - e^-1) = 9.4818,
    # auto-renewal of 36 months -> 5 (1 - e^-3) = 4.7511, runbooks 15, tooling 10, no KT 10,
    # no transition 10, no export 5: 78.1396
    assert result.exposure == Decimal("78.14")
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
    # + data rebuild 1 x 14000 (no data export)
    assert result.exit_cost == Decimal("234500.00")


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
    # 22 (1 - e^-(12/24)) 8.6563 + 8 (1 - e^-(45/90)) 3.1478 + 15 (1 - e^-(3/6)) 5.9020
    # + 7.5 (shared runbooks) + 10 x 2/3 (1 of 3 transition months) = 31.8728
    assert result.exposure == Decimal("31.87")
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
    assert "term 12 months 0.00/22" in explanation
    assert "Exit cost 44625.00 USD" in explanation
    assert result.exit_cost.amount == Decimal("44625.00")


def test_term_notice_and_penalty_keep_rising_with_diminishing_returns() -> None:
    def exposure(**changes: object) -> Decimal:
        return assess_lock_in(STANDARD_TERMS.model_copy(update=changes), Decimal(10000), "USD").exposure

    assert exposure(term_months=36) < exposure(term_months=60) < exposure(term_months=120)
    assert (
        exposure(term_months=120) - exposure(term_months=60)
        < exposure(term_months=60) - exposure(term_months=36) + 1
    )
    assert exposure(early_termination_fee_months=6.0) < exposure(early_termination_fee_months=60.0)
    assert exposure(termination_notice_days=180) < exposure(termination_notice_days=365)
    # auto-renewal weighs what it re-commits the buyer to: a 36-month renewal more than a 1-month one
    assert exposure(auto_renews=True, term_months=1) < exposure(auto_renews=True, term_months=36) - exposure(
        term_months=36
    ) + exposure(term_months=1)
    assert exposure(term_months=120, termination_notice_days=730, early_termination_fee_months=60.0) < 100


def test_no_data_export_costs_a_month_in_the_exit_cost() -> None:
    with_export = assess_lock_in(STANDARD_TERMS, Decimal(10000), "USD")
    without = assess_lock_in(
        STANDARD_TERMS.model_copy(update={"data_export_on_exit": False}), Decimal(10000), "USD"
    )
    assert without.exit_cost - with_export.exit_cost == Decimal("10000.00")
    assert "data rebuild 1 months 10000.00" in without.explanation
