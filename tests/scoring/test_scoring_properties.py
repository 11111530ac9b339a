"""The non-negotiable properties of docs/scoring.md, each as a test that fails if it breaks."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scoring import (
    SCORING_VERSION,
    FindingCode,
    FlatMonthlyPricing,
    Money,
    Ownership,
    ProposalScore,
    ProposalTerms,
    RankInput,
    RfpContext,
    rank,
    reweigh,
    score,
)
from scoring.model import (
    MAX_REMEDIES_PER_KPI,
    UNIT_RANGES,
    Comparator,
    KpiMetric,
    KpiUnit,
    Remedy,
    RemedyType,
)
from scoring.rank import exact_weights as exact_weights_of
from tests.scoring.strategies import (
    ACTIVITY,
    CADENCE_ORDER,
    OUTCOME,
    matched_rfps,
    proposals,
    remedies,
    rfps,
    weights,
)

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The SLA findings that always come with a deduction when they concern the KPIs that carry weight;
# DUPLICATE_KPI, IMPLAUSIBLE_TARGET, METRIC_NOT_MEANINGFUL and SLOW_ESCALATION may also describe a KPI
# or step that carries no weight, so they are informative, not deductions.
SLA_CODES = {
    FindingCode.WEAK_REMEDY,
    FindingCode.GAMEABLE_METRIC,
    FindingCode.NO_OUTCOME_METRIC,
    FindingCode.MISSING_MEASUREMENT_METHOD,
    FindingCode.KPI_WITHOUT_REMEDY,
    FindingCode.NO_REMEDIES,
    FindingCode.NO_REPORTING,
    FindingCode.NO_ESCALATION_PATH,
    FindingCode.REQUIREMENT_NOT_MET,
}
LOCK_IN_CODES = {
    FindingCode.LONG_TERM,
    FindingCode.LONG_NOTICE,
    FindingCode.EXIT_PENALTY,
    FindingCode.AUTO_RENEWAL,
    FindingCode.VENDOR_OWNS_RUNBOOKS,
    FindingCode.VENDOR_OWNS_TOOLING_CONFIG,
    FindingCode.NO_KNOWLEDGE_TRANSFER,
    FindingCode.NO_TRANSITION_ASSISTANCE,
    FindingCode.NO_DATA_EXPORT,
}


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[ProposalTerms, RfpContext]:
    terms = draw(proposals)
    return terms, draw(matched_rfps(terms))


def codes(result: ProposalScore) -> set[FindingCode]:
    return {finding.code for finding in result.findings}


# ------------------------------------------------------------------ 1. deterministic and pure


@PROPERTY
@given(scenarios())
def test_same_inputs_give_the_same_score_bit_for_bit(scenario: tuple[ProposalTerms, RfpContext]) -> None:
    terms, rfp = scenario
    first = score(terms, rfp)
    assert score(terms, rfp) == first
    assert first.model_dump_json() == score(terms, rfp).model_dump_json()


@PROPERTY
@given(scenarios())
def test_the_callers_decimal_context_does_not_change_the_score(
    scenario: tuple[ProposalTerms, RfpContext],
) -> None:
    terms, rfp = scenario
    expected = score(terms, rfp)
    with decimal.localcontext(decimal.Context(prec=6, rounding=decimal.ROUND_FLOOR)):
        assert score(terms, rfp) == expected


def test_scores_carry_the_scoring_version() -> None:
    from tests.scoring.strategies import good_support_desk, support_desk_rfp

    assert score(good_support_desk(), support_desk_rfp()).scoring_version == SCORING_VERSION


# ------------------------------------------------------------------ 4. bounded


@PROPERTY
@given(scenarios())
def test_every_score_stays_within_0_and_100(scenario: tuple[ProposalTerms, RfpContext]) -> None:
    result = score(*scenario)
    for value in (result.total, result.sla_quality, result.lock_in_exposure, result.cost_score):
        assert 0 <= value <= 100
    for component in result.components:
        assert 0 <= component.value <= 100
    assert result.monthly_cost_low.amount <= result.normalized_monthly_cost.amount
    assert result.normalized_monthly_cost.amount <= result.monthly_cost_high.amount
    assert result.exit_cost.amount >= 0


@PROPERTY
@given(scenarios())
def test_a_stored_score_reads_back_unchanged(scenario: tuple[ProposalTerms, RfpContext]) -> None:
    # The API stores scores and re-validates them on read: computed amounts may exceed the input ceiling.
    result = score(*scenario)
    assert ProposalScore.model_validate(result.model_dump()) == result
    assert ProposalScore.model_validate_json(result.model_dump_json()) == result


# ------------------------------------------------------------------ 5. explained


@PROPERTY
@given(scenarios(), st.none() | weights)
def test_components_add_up_to_the_total_exactly(
    scenario: tuple[ProposalTerms, RfpContext], override: object
) -> None:
    terms, rfp = scenario
    result = score(terms, rfp, override)  # type: ignore[arg-type]
    assert sum(component.contribution for component in result.components) == result.total
    by_name = {component.criterion: component for component in result.components}
    assert by_name["slaQuality"].value == result.sla_quality
    assert by_name["lockIn"].value == float(100 - Decimal(repr(result.lock_in_exposure)))
    assert by_name["cost"].value == result.cost_score
    used = override if override is not None else rfp.weights
    exact_weights = dict(zip(("slaQuality", "lockIn", "cost"), exact_weights_of(used), strict=True))  # type: ignore[arg-type]
    exact_total = Decimal(0)
    for component in result.components:
        exact = Decimal(repr(component.value)) * exact_weights[component.criterion]
        exact_total += exact
        truncated = exact.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
        # Truncated, plus at most one 0.0001 of the largest-remainder share-out.
        # (as floats: the largest part may carry the float sum's last ulp)
        shown = Decimal(repr(component.contribution))
        assert any(abs(shown - (truncated + extra)) < Decimal("1e-9") for extra in (0, Decimal("0.0001")))
    assert result.total == float(exact_total.quantize(Decimal("0.0001")))
    assert sum(component.weight for component in result.components) == pytest.approx(1.0)


@PROPERTY
@given(scenarios())
def test_every_deduction_has_a_finding(scenario: tuple[ProposalTerms, RfpContext]) -> None:
    terms, rfp = scenario
    result = score(terms, rfp)
    found = codes(result)
    # SLA: each shortfall names its cause; full marks have none of the carrying-KPI shortfalls.
    if result.sla_quality < 100:
        assert found & SLA_CODES
    else:
        assert not found & {
            FindingCode.NO_REMEDIES,
            FindingCode.REQUIREMENT_NOT_MET,
            FindingCode.NO_REPORTING,
            FindingCode.NO_ESCALATION_PATH,
            FindingCode.NO_OUTCOME_METRIC,
            FindingCode.GAMEABLE_METRIC,
        }
    assert (result.lock_in_exposure == 0) == (not found & LOCK_IN_CODES)
    if not any(kpi.metric in OUTCOME for kpi in terms.sla.kpis):
        assert FindingCode.NO_OUTCOME_METRIC in found
    assert result.eligible == (result.meets_requirements and FindingCode.OVER_BUDGET not in found)
    if not result.meets_requirements:
        assert FindingCode.REQUIREMENT_NOT_MET in found
    if result.cost_score < 50:  # 50 at the budget exactly
        assert FindingCode.OVER_BUDGET in found
    over = result.normalized_monthly_cost.amount > rfp.monthly_budget.amount
    assert over == (FindingCode.OVER_BUDGET in found)
    for finding in result.findings:
        assert finding.message and finding.path


# ------------------------------------------------------------------ 2. monotone

Improvement = Callable[[ProposalTerms, st.DrawFn], ProposalTerms | None]


def _kpi_update(terms: ProposalTerms, index: int, **changes: object) -> ProposalTerms:
    kpis = list(terms.sla.kpis)
    kpis[index] = kpis[index].model_copy(update=changes)
    return terms.model_copy(update={"sla": terms.sla.model_copy(update={"kpis": tuple(kpis)})})


def _terms_update(terms: ProposalTerms, **changes: object) -> ProposalTerms:
    return terms.model_copy(update={"terms": terms.terms.model_copy(update=changes)})


def stricter_target(terms: ProposalTerms, draw: st.DrawFn) -> ProposalTerms | None:
    if not terms.sla.kpis:
        return None
    index = draw(st.integers(0, len(terms.sla.kpis) - 1))
    kpi = terms.sla.kpis[index]
    low, high = UNIT_RANGES[kpi.unit]
    bound = high if kpi.comparator is Comparator.AT_LEAST else low
    share = draw(st.floats(0, 1))
    return _kpi_update(terms, index, target=kpi.target + (bound - kpi.target) * share)


def added_remedy(terms: ProposalTerms, draw: st.DrawFn) -> ProposalTerms | None:
    room = [i for i, kpi in enumerate(terms.sla.kpis) if len(kpi.remedies) < MAX_REMEDIES_PER_KPI]
    if not room:
        return None
    index = draw(st.sampled_from(room))
    return _kpi_update(terms, index, remedies=(*terms.sla.kpis[index].remedies, draw(remedies)))


# A meaningful promise for each outcome metric: the metric class follows the promise, not the label,
# so an outcome KPI "in COUNT" or pointing the wrong way would be no improvement.
OUTCOME_PROMISES = [
    (KpiMetric.CSAT, Comparator.AT_LEAST, KpiUnit.SCORE_5, 4.3),
    (KpiMetric.NPS, Comparator.AT_LEAST, KpiUnit.NPS_POINTS, 30.0),
    (KpiMetric.QUALITY_SCORE, Comparator.AT_LEAST, KpiUnit.PERCENT, 90.0),
    (KpiMetric.FIRST_CONTACT_RESOLUTION, Comparator.AT_LEAST, KpiUnit.PERCENT, 70.0),
    (KpiMetric.REOPEN_RATE, Comparator.AT_MOST, KpiUnit.PERCENT, 5.0),
    (KpiMetric.ACCURACY, Comparator.AT_LEAST, KpiUnit.PERCENT, 98.0),
    (KpiMetric.UPTIME, Comparator.AT_LEAST, KpiUnit.PERCENT, 99.5),
]


def outcome_instead_of_activity(terms: ProposalTerms, draw: st.DrawFn) -> ProposalTerms | None:
    activity = [i for i, kpi in enumerate(terms.sla.kpis) if kpi.metric in ACTIVITY]
    if not activity:
        return None
    metric, comparator, unit, target = draw(st.sampled_from(OUTCOME_PROMISES))
    return _kpi_update(
        terms, draw(st.sampled_from(activity)), metric=metric, comparator=comparator, unit=unit, target=target
    )


def measurement_method_added(terms: ProposalTerms, draw: st.DrawFn) -> ProposalTerms | None:
    missing = [i for i, kpi in enumerate(terms.sla.kpis) if not kpi.measurement_method]
    if not missing:
        return None
    return _kpi_update(terms, draw(st.sampled_from(missing)), measurement_method="ServiceNow SLA report")


def better_cadence(terms: ProposalTerms, draw: st.DrawFn) -> ProposalTerms | None:
    position = CADENCE_ORDER.index(terms.sla.reporting_cadence)
    if position == len(CADENCE_ORDER) - 1:
        return None
    cadence = draw(st.sampled_from(CADENCE_ORDER[position + 1 :]))
    return terms.model_copy(update={"sla": terms.sla.model_copy(update={"reporting_cadence": cadence})})


def shorter_term(terms: ProposalTerms, draw: st.DrawFn) -> ProposalTerms | None:
    months = terms.terms.term_months
    return None if months == 1 else _terms_update(terms, term_months=draw(st.integers(1, months - 1)))


def smaller_penalty(terms: ProposalTerms, draw: st.DrawFn) -> ProposalTerms | None:
    fee = terms.terms.early_termination_fee_months
    return (
        None if fee == 0 else _terms_update(terms, early_termination_fee_months=fee * draw(st.floats(0, 1)))
    )


def client_owned_runbooks(terms: ProposalTerms, draw: st.DrawFn) -> ProposalTerms | None:
    better = {Ownership.VENDOR: [Ownership.SHARED, Ownership.CLIENT], Ownership.SHARED: [Ownership.CLIENT]}
    options = better.get(terms.terms.runbook_ownership)
    return _terms_update(terms, runbook_ownership=draw(st.sampled_from(options))) if options else None


def other_exit_terms(terms: ProposalTerms, draw: st.DrawFn) -> ProposalTerms | None:
    current = terms.terms
    changes = {
        "termination_notice_days": draw(st.integers(0, current.termination_notice_days)),
        "auto_renews": False,
        "knowledge_transfer_clause": True,
        "transition_assistance_months": draw(st.integers(current.transition_assistance_months, 36)),
        "data_export_on_exit": True,
        "tooling_config_ownership": Ownership.CLIENT,
    }
    name = draw(st.sampled_from(sorted(changes)))
    return _terms_update(terms, **{name: changes[name]})


def _cheaper(money: Money | None, factor: Decimal) -> Money | None:
    if money is None:
        return None
    return money.model_copy(update={"amount": (money.amount * factor).quantize(Decimal("0.01"), ROUND_DOWN)})


def lower_price(terms: ProposalTerms, draw: st.DrawFn) -> ProposalTerms | None:
    factor = draw(st.decimals(min_value=0, max_value=1, places=3))
    pricing = terms.pricing
    fields = [name for name in type(pricing).model_fields if isinstance(getattr(pricing, name), Money)]
    # Lower one amount, or all of them at once.
    chosen = draw(st.sampled_from([*fields, "all"]))
    names = fields if chosen == "all" else [chosen]
    update = {name: _cheaper(getattr(pricing, name), factor) for name in names}
    one_time = _cheaper(terms.one_time_fee, factor) if chosen == "all" else terms.one_time_fee
    escalation = (
        terms.annual_escalation_percent * float(factor)
        if chosen == "all"
        else terms.annual_escalation_percent
    )
    return terms.model_copy(
        update={
            "pricing": pricing.model_copy(update=update),
            "one_time_fee": one_time,
            "annual_escalation_percent": escalation,
        }
    )


def _fits(remedy: Remedy, term_months: int) -> bool:
    breaches = remedy.after_consecutive_breaches or 3
    return remedy.type is not RemedyType.TERMINATION_RIGHT or breaches <= term_months


def _criterion(result: ProposalScore, criterion: str) -> float:
    # Oriented so that higher is better for the buyer.
    return -result.lock_in_exposure if criterion == "lockIn" else getattr(result, criterion)


@pytest.mark.parametrize(
    ("improve", "criterion"),
    [
        (stricter_target, "sla_quality"),
        (added_remedy, "sla_quality"),
        (outcome_instead_of_activity, "sla_quality"),
        (measurement_method_added, "sla_quality"),
        (better_cadence, "sla_quality"),
        (shorter_term, "lockIn"),
        (smaller_penalty, "lockIn"),
        (client_owned_runbooks, "lockIn"),
        (other_exit_terms, "lockIn"),
        (lower_price, "cost_score"),
    ],
)
@PROPERTY
@given(data=st.data())
def test_improving_one_input_never_lowers_its_criterion_or_the_total(
    improve: Improvement, criterion: str, data: st.DataObject
) -> None:
    terms, rfp = data.draw(scenarios())
    if improve is outcome_instead_of_activity:
        # Dropping an activity KPI the buyer explicitly requires is not an improvement for that buyer.
        rfp = rfp.model_copy(
            update={"requirements": tuple(r for r in rfp.requirements if r.metric not in ACTIVITY)}
        )
    better = improve(terms, data.draw)
    assume(better is not None)
    assert better is not None
    if improve is shorter_term:
        # The two deliberate exceptions (docs/scoring.md, "Monotone"): a termination right that no
        # longer fits in the shorter term protects nothing any more, and a one-time fee spread over
        # fewer months costs more a month. The lock-in criterion itself always improves.
        assume(terms.one_time_fee is None or terms.one_time_fee.amount == 0)
        assume(
            all(_fits(remedy, better.terms.term_months) for kpi in terms.sla.kpis for remedy in kpi.remedies)
        )
    before, after = score(terms, rfp), score(better, rfp)
    assert _criterion(after, criterion) >= _criterion(before, criterion)
    assert after.total >= before.total
    if improve is not lower_price:
        assert after.meets_requirements >= before.meets_requirements


def test_a_lower_price_lowers_the_exit_cost_but_not_the_exposure() -> None:
    from tests.scoring.strategies import poor_support_desk, support_desk_rfp, usd

    terms = poor_support_desk()
    cheaper = terms.model_copy(update={"pricing": FlatMonthlyPricing(monthly_fee=usd(7000))})
    before, after = score(terms, support_desk_rfp()), score(cheaper, support_desk_rfp())
    assert after.lock_in_exposure == before.lock_in_exposure
    assert after.exit_cost.amount < before.exit_cost.amount


# ------------------------------------------------------------------ 3. independent of irrelevant alternatives


@PROPERTY
@given(st.data())
def test_adding_revising_or_withdrawing_a_proposal_keeps_the_order_of_the_others(data: st.DataObject) -> None:
    rfp = data.draw(rfps())
    bids = data.draw(st.lists(proposals, min_size=2, max_size=6))
    start = datetime(2026, 11, 1, tzinfo=UTC)
    entries = [
        RankInput(
            key=f"p{i}",
            score=score(bid, rfp),
            submitted_at=start + timedelta(hours=data.draw(st.integers(0, 3))),
        )
        for i, bid in enumerate(bids)
    ]
    override = data.draw(st.none() | weights)

    def order(items: list[RankInput]) -> list[str]:
        return [entry.key for entry in rank(items, override)]

    everyone = order(entries)
    leaving = data.draw(st.integers(0, len(entries) - 1))
    others = entries[:leaving] + entries[leaving + 1 :]
    without = order(others)
    assert without == [key for key in everyone if key != entries[leaving].key]
    newcomer = RankInput(key="new", score=score(data.draw(proposals), rfp), submitted_at=start)
    assert [key for key in order([*others, newcomer]) if key != "new"] == without
    revised = RankInput(
        key=entries[leaving].key, score=newcomer.score, submitted_at=entries[leaving].submitted_at
    )
    assert [key for key in order([*others, revised]) if key != revised.key] == without


@PROPERTY
@given(st.data())
def test_ranking_never_changes_a_total(data: st.DataObject) -> None:
    rfp = data.draw(rfps())
    entries = [
        RankInput(key=str(i), score=score(bid, rfp), submitted_at=datetime(2026, 11, 1, tzinfo=UTC))
        for i, bid in enumerate(data.draw(st.lists(proposals, min_size=1, max_size=6)))
    ]
    totals = {entry.key: entry.score.total for entry in entries}
    ranked = rank(entries)
    assert [entry.rank for entry in ranked] == list(range(1, len(entries) + 1))
    assert {entry.key: entry.score.total for entry in ranked} == totals


# ------------------------------------------------------------------ reweigh


@PROPERTY
@given(scenarios(), weights)
def test_reweigh_equals_scoring_under_those_weights(
    scenario: tuple[ProposalTerms, RfpContext], other: object
) -> None:
    terms, rfp = scenario
    assert reweigh(score(terms, rfp), other) == score(terms, rfp, other)  # type: ignore[arg-type]
