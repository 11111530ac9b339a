"""Scoring version 2: scores that cannot be bought with paperwork (../shared/design/scoring.md).

Each principle has a test that fails if it breaks; the properties are hypothesis properties.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scoring import (
    BUDGET_FINDINGS,
    Cadence,
    Comparator,
    FindingCode,
    FlatMonthlyPricing,
    Kpi,
    KpiMetric,
    KpiUnit,
    ProposalScore,
    ProposalTerms,
    RankInput,
    Remedy,
    RemedyType,
    RfpContext,
    Sla,
    Weights,
    criterion_values,
    rank,
    score,
    split_budget,
)
from scoring.model import Money
from scoring.sla import assess_sla, is_placeholder
from tests.scoring.strategies import (
    STANDARD_TERMS,
    good_support_desk,
    kpis,
    matched_rfps,
    proposals,
    rfps,
    support_desk_rfp,
    usd,
    weights,
)

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
AT_LEAST, AT_MOST = Comparator.AT_LEAST, Comparator.AT_MOST
CREDIT_10 = Remedy(type=RemedyType.SERVICE_CREDIT, credit_percent=10)


def with_kpis(terms: ProposalTerms, *extra: Kpi) -> ProposalTerms:
    sla = terms.sla.model_copy(update={"kpis": (*terms.sla.kpis, *extra)})
    return terms.model_copy(update={"sla": sla})


def codes_at(result: ProposalScore) -> dict[FindingCode, list[tuple[str, ...]]]:
    found: dict[FindingCode, list[tuple[str, ...]]] = {}
    for f in result.findings:
        found.setdefault(f.code, []).append(f.path)
    return found


def bare_required(method: str | None = None) -> ProposalTerms:
    """The issue's case: the required CSAT and first-response KPIs with no method and no remedy."""
    sla = Sla(
        kpis=(
            Kpi(
                metric=KpiMetric.CSAT,
                comparator=AT_LEAST,
                unit=KpiUnit.SCORE_5,
                target=4.3,
                measurement_method=method,
            ),
            Kpi(metric=KpiMetric.FIRST_RESPONSE_TIME, comparator=AT_MOST, unit=KpiUnit.HOURS, target=2),
        ),
        reporting_cadence=Cadence.MONTHLY,
        escalation_path=good_support_desk().sla.escalation_path,
    )
    return good_support_desk().model_copy(update={"sla": sla})


# ------------------------------------------------------------------------------ padding


@st.composite
def padding(draw: st.DrawFn, terms: ProposalTerms) -> Kpi:
    """A KPI that promises nothing: no stake (none, a plan, a token or unsized credit), or a copy of
    an existing KPI with the same or a weaker target."""
    if terms.sla.kpis and draw(st.booleans()):
        original = draw(st.sampled_from(terms.sla.kpis))
        return original.model_copy(update={"name": "repeat"})
    kpi = draw(kpis())
    unstaked = st.sampled_from(
        [
            (),
            (Remedy(type=RemedyType.CORRECTIVE_ACTION_PLAN),),
            (Remedy(type=RemedyType.SERVICE_CREDIT, credit_percent=0.01),),
            (Remedy(type=RemedyType.SERVICE_CREDIT),),
            (Remedy(type=RemedyType.FEE_AT_RISK, credit_percent=0.5),),
        ]
    )
    return kpi.model_copy(update={"remedies": draw(unstaked), "measurement_method": "TBD"})


@PROPERTY
@given(st.data())
def test_padding_never_raises_the_sla_score(data: st.DataObject) -> None:
    terms = data.draw(proposals)
    rfp = data.draw(matched_rfps(terms))
    assume(len(terms.sla.kpis) < 45)
    padded = with_kpis(terms, *data.draw(st.lists(padding(terms), min_size=1, max_size=5)))
    before, after = score(terms, rfp), score(padded, rfp)
    assert after.sla_quality <= before.sla_quality
    assert after.total <= before.total
    assert after.meets_requirements <= before.meets_requirements


@PROPERTY
@given(st.data())
def test_an_extra_honestly_tracked_kpi_never_lowers_the_sla_score(data: st.DataObject) -> None:
    terms = data.draw(proposals)
    rfp = data.draw(matched_rfps(terms))
    assume(len(terms.sla.kpis) < 50)
    extra = data.draw(kpis()).model_copy(
        update={"measurement_method": "Zendesk report", "measurement_window": Cadence.MONTHLY}
    )
    before, after = score(terms, rfp), score(with_kpis(terms, extra), rfp)
    assert after.sla_quality >= before.sla_quality
    assert after.total >= before.total
    assert after.meets_requirements >= before.meets_requirements


def test_the_issues_token_credit_on_an_irrelevant_kpi_does_not_lift_the_cap() -> None:
    rfp = support_desk_rfp()
    bare = score(bare_required(), rfp)
    assert bare.sla_quality == 20  # reporting 10 + escalation 10; nothing enforceable
    # (v1: one irrelevant KPI with a 0.01% credit lifted this from 25 to over 70)
    token = Kpi(
        metric=KpiMetric.TICKETS_HANDLED,
        comparator=AT_LEAST,
        unit=KpiUnit.COUNT,
        target=100,
        measurement_method="Zendesk count",
        measurement_window=Cadence.MONTHLY,
        remedies=(Remedy(type=RemedyType.SERVICE_CREDIT, credit_percent=0.01),),
    )
    assert score(with_kpis(bare_required(), token), rfp).sla_quality == 20
    assert score(with_kpis(bare_required(), *(token,) * 30), rfp).sla_quality == 20
    # even a real remedy on an irrelevant outcome KPI leaves the required KPIs without consequence
    real = token.model_copy(
        update={"metric": KpiMetric.ACCURACY, "unit": KpiUnit.PERCENT, "target": 98, "remedies": (CREDIT_10,)}
    )
    lifted = score(with_kpis(bare_required(), real), rfp)
    assert lifted.sla_quality <= 25
    [path] = codes_at(lifted)[FindingCode.NO_REMEDIES]
    assert path == ("sla", "kpis", "0", "remedies")  # the required CSAT that carries weight


def test_repeating_a_kpi_adds_nothing_and_is_flagged() -> None:
    rfp = support_desk_rfp()
    good = good_support_desk()
    repeated = with_kpis(good, *(good.sla.kpis[0],) * 10)
    assert score(repeated, rfp).sla_quality == score(good, rfp).sla_quality
    duplicates = codes_at(score(repeated, rfp))[FindingCode.DUPLICATE_KPI]
    assert ("sla", "kpis", "2") in duplicates and len(duplicates) == 10


# ------------------------------------------------------------------------------ remedies


def _with_csat_remedies(*remedies: Remedy, term: int = 12) -> ProposalScore:
    terms = good_support_desk()
    kpis_ = list(terms.sla.kpis)
    kpis_[0] = kpis_[0].model_copy(update={"remedies": remedies})
    kpis_[1] = kpis_[1].model_copy(update={"remedies": (CREDIT_10,)})
    changed = terms.model_copy(
        update={
            "sla": terms.sla.model_copy(update={"kpis": tuple(kpis_)}),
            "terms": terms.terms.model_copy(update={"term_months": term}),
        }
    )
    return score(changed, support_desk_rfp())


def test_a_remedy_is_worth_what_is_at_stake() -> None:
    def credit(percent: float | None, kind: RemedyType = RemedyType.SERVICE_CREDIT) -> ProposalScore:
        return _with_csat_remedies(Remedy(type=kind, credit_percent=percent))

    # a credit scales with its percentage; a token 0.01% is no stake at all
    assert credit(10).sla_quality > credit(5).sla_quality > credit(1).sla_quality > credit(0.01).sla_quality
    assert credit(0.01).sla_quality == 25  # the required CSAT has no consequence: capped
    assert ("sla", "kpis", "0", "remedies", "0", "creditPercent") in codes_at(credit(0.01))[
        FindingCode.WEAK_REMEDY
    ]
    # fee at risk needs its size
    assert credit(None, RemedyType.FEE_AT_RISK).sla_quality == 25
    assert credit(10, RemedyType.FEE_AT_RISK).sla_quality == credit(10).sla_quality
    # a corrective-action plan alone is no consequence: capped like no remedy
    plan = _with_csat_remedies(Remedy(type=RemedyType.CORRECTIVE_ACTION_PLAN))
    assert plan.sla_quality == 25 and not plan.meets_requirements
    assert ("sla", "kpis", "0", "remedies", "0", "type") in codes_at(plan)[FindingCode.WEAK_REMEDY]


def test_a_termination_right_that_cannot_trigger_within_the_term_is_weak() -> None:
    def right(breaches: int, term: int) -> ProposalScore:
        return _with_csat_remedies(
            Remedy(type=RemedyType.TERMINATION_RIGHT, after_consecutive_breaches=breaches), term=term
        )

    assert right(3, 12).sla_quality > right(13, 12).sla_quality
    weak = right(13, 12)
    assert ("sla", "kpis", "0", "remedies", "0", "afterConsecutiveBreaches") in codes_at(weak)[
        FindingCode.WEAK_REMEDY
    ]
    assert right(13, 24).sla_quality == right(3, 12).sla_quality


# ------------------------------------------------------------------------------ measurability


@pytest.mark.parametrize("placeholder", ["TBD", "n/a", "-", "N/A", "tbc", "???", "to be defined", "  -- "])
def test_a_placeholder_is_no_measurement_method(placeholder: str) -> None:
    assert is_placeholder(placeholder)
    rfp = support_desk_rfp()
    real = score(good_support_desk(), rfp)
    terms = good_support_desk()
    kpis_ = list(terms.sla.kpis)
    kpis_[0] = kpis_[0].model_copy(update={"measurement_method": placeholder})
    tbd = score(terms.model_copy(update={"sla": terms.sla.model_copy(update={"kpis": tuple(kpis_)})}), rfp)
    assert tbd.sla_quality < real.sla_quality
    assert not tbd.meets_requirements  # a required KPI the buyer cannot measure is not met
    assert ("sla", "kpis", "0", "measurementMethod") in codes_at(tbd)[FindingCode.MISSING_MEASUREMENT_METHOD]
    assert not is_placeholder("Zendesk CSAT survey")


def test_a_none_window_is_no_window() -> None:
    terms = good_support_desk()
    kpis_ = list(terms.sla.kpis)
    kpis_[0] = kpis_[0].model_copy(update={"measurement_window": Cadence.NONE})
    result = score(
        terms.model_copy(update={"sla": terms.sla.model_copy(update={"kpis": tuple(kpis_)})}),
        support_desk_rfp(),
    )
    assert not result.meets_requirements
    assert ("sla", "kpis", "0", "measurementWindow") in codes_at(result)[
        FindingCode.MISSING_MEASUREMENT_METHOD
    ]


# ------------------------------------------------------------------------------ metric sanity


def _alone(
    metric: KpiMetric, comparator: Comparator, target: float, unit: KpiUnit
) -> tuple[float, set[FindingCode]]:
    kpi = Kpi(
        metric=metric,
        comparator=comparator,
        unit=unit,
        target=target,
        measurement_method="Zendesk report",
        measurement_window=Cadence.MONTHLY,
        remedies=(CREDIT_10,),
    )
    result = assess_sla(Sla(kpis=(kpi,), reporting_cadence=Cadence.MONTHLY), ())
    return float(result.score), {f.code for f in result.findings}


@pytest.mark.parametrize(
    ("metric", "comparator", "target", "unit", "field"),
    [
        (KpiMetric.UPTIME, AT_MOST, 100, KpiUnit.PERCENT, "comparator"),  # uptime at most 100%
        (KpiMetric.CSAT, AT_LEAST, 0, KpiUnit.SCORE_5, "target"),  # CSAT at least 0
        (KpiMetric.REOPEN_RATE, AT_LEAST, 50, KpiUnit.PERCENT, "comparator"),  # reopen rate at least 50%
        (KpiMetric.FIRST_CONTACT_RESOLUTION, AT_LEAST, 500, KpiUnit.COUNT, "unit"),  # a count, not a rate
    ],
)
def test_a_kpi_that_promises_nothing_earns_no_outcome_credit(
    metric: KpiMetric, comparator: Comparator, target: float, unit: KpiUnit, field: str
) -> None:
    honest, _ = _alone(KpiMetric.CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5)
    closed, _ = _alone(KpiMetric.TICKETS_CLOSED, AT_LEAST, 100, KpiUnit.COUNT)
    points, found = _alone(metric, comparator, target, unit)
    assert points < honest and points <= closed
    assert FindingCode.METRIC_NOT_MEANINGFUL in found and FindingCode.NO_OUTCOME_METRIC in found
    kpi = Kpi(metric=metric, comparator=comparator, unit=unit, target=target, remedies=(CREDIT_10,))
    [flag] = [
        f
        for f in assess_sla(Sla(kpis=(kpi,), reporting_cadence=Cadence.MONTHLY), ()).findings
        if f.code is FindingCode.METRIC_NOT_MEANINGFUL
    ]
    assert flag.path == ("sla", "kpis", "0", field)


def test_custom_earns_no_more_than_activity_and_activity_alone_is_capped_as_gameable() -> None:
    closed, found = _alone(KpiMetric.TICKETS_CLOSED, AT_LEAST, 100, KpiUnit.COUNT)
    custom, custom_found = _alone(KpiMetric.CUSTOM, AT_LEAST, 100, KpiUnit.COUNT)
    assert custom <= closed <= 40
    assert FindingCode.GAMEABLE_METRIC in found and FindingCode.GAMEABLE_METRIC in custom_found


@pytest.mark.parametrize(
    ("metric", "comparator", "target", "unit"),
    [
        (KpiMetric.UPTIME, AT_LEAST, 100, KpiUnit.PERCENT),
        (KpiMetric.CSAT, AT_LEAST, 5, KpiUnit.SCORE_5),
        (KpiMetric.FIRST_RESPONSE_TIME, AT_MOST, 0, KpiUnit.MINUTES),
    ],
)
def test_implausible_targets_are_flagged(
    metric: KpiMetric, comparator: Comparator, target: float, unit: KpiUnit
) -> None:
    _, found = _alone(metric, comparator, target, unit)
    assert FindingCode.IMPLAUSIBLE_TARGET in found
    _, plausible = _alone(
        metric, comparator, 99.9 if unit is KpiUnit.PERCENT else 4.5 if unit is KpiUnit.SCORE_5 else 30, unit
    )
    assert FindingCode.IMPLAUSIBLE_TARGET not in plausible


def test_an_escalation_slower_than_a_reporting_period_is_no_escalation_path() -> None:
    terms = good_support_desk()
    slow = terms.sla.model_copy(
        update={
            "escalation_path": tuple(
                step.model_copy(update={"response_hours": 1000}) for step in terms.sla.escalation_path
            )
        }
    )
    result = score(terms.model_copy(update={"sla": slow}), support_desk_rfp())
    assert result.sla_quality == score(terms, support_desk_rfp()).sla_quality - 10
    found = codes_at(result)
    assert ("sla", "escalationPath", "0", "responseHours") in found[FindingCode.SLOW_ESCALATION]
    assert FindingCode.NO_ESCALATION_PATH in found


def test_a_requirement_is_met_only_by_an_enforceable_kpi() -> None:
    rfp = support_desk_rfp()
    bare = score(bare_required(method="Zendesk"), rfp)
    assert not bare.meets_requirements and not bare.eligible
    messages = [f.message for f in bare.findings if f.code is FindingCode.REQUIREMENT_NOT_MET]
    assert any("cannot be enforced" in message for message in messages)


# ------------------------------------------------------------------------------ cost and eligibility


def test_over_budget_is_not_eligible_and_keeps_falling() -> None:
    rfp = support_desk_rfp()

    def at(fee: int) -> ProposalScore:
        return score(
            good_support_desk().model_copy(update={"pricing": FlatMonthlyPricing(monthly_fee=usd(fee))}), rfp
        )

    assert at(15000).eligible and not at(15001).eligible and at(15001).meets_requirements
    assert at(150000).cost_score < at(30000).cost_score < at(15001).cost_score
    [over] = [f for f in at(15001).findings if f.code is FindingCode.OVER_BUDGET]
    assert over.message.startswith("not eligible")


def test_the_cost_weight_is_the_effective_one() -> None:
    # the issue's case: a bid 27% cheaper must beat one that only adds a free clause (data export)
    rfp = support_desk_rfp()
    base = good_support_desk()
    no_export = base.terms.model_copy(update={"data_export_on_exit": False})
    cheap = base.model_copy(
        update={"pricing": FlatMonthlyPricing(monthly_fee=usd(10220)), "terms": no_export}
    )
    dear = base.model_copy(update={"pricing": FlatMonthlyPricing(monthly_fee=usd(14000))})
    assert score(cheap, rfp).total > score(dear, rfp).total


def test_every_explanation_says_what_one_point_is_worth_in_money() -> None:
    result = score(good_support_desk(), support_desk_rfp())
    worth = {c.criterion: split_budget(c.explanation)[1] for c in result.components}
    assert "one point of cost score is 200.00 USD a month" in worth["cost"]  # 15000 / 75
    assert "228.57 USD a month" in worth["slaQuality"]  # 200 x 0.40 / 0.35
    assert "142.86 USD a month" in worth["lockIn"]  # 200 x 0.25 / 0.35


@PROPERTY
@given(st.data())
def test_budget_derived_words_live_only_in_the_separable_part(data: st.DataObject) -> None:
    terms = data.draw(proposals)
    rfp = data.draw(matched_rfps(terms))
    other = data.draw(st.decimals(min_value=0, max_value=10**8, places=2))
    moved = rfp.model_copy(update={"monthly_budget": Money(amount=other, currency_code=rfp.currency_code)})
    first, second = score(terms, rfp), score(terms, moved)
    assert [split_budget(c.explanation)[0] for c in first.components] == [
        split_budget(c.explanation)[0] for c in second.components
    ]
    assert [f for f in first.findings if f.code not in BUDGET_FINDINGS] == [
        f for f in second.findings if f.code not in BUDGET_FINDINGS
    ]
    assert first.sla_quality == second.sla_quality and first.lock_in_exposure == second.lock_in_exposure


# ------------------------------------------------------------------------------ ranking


@PROPERTY
@given(st.data())
def test_over_budget_never_outranks_an_eligible_proposal_and_dominance_is_respected(
    data: st.DataObject,
) -> None:
    rfp = data.draw(rfps())
    bids = data.draw(st.lists(proposals, min_size=2, max_size=6))
    entries = [
        RankInput(f"p{i}", score(bid, rfp), T0 + timedelta(minutes=data.draw(st.integers(0, 2))))
        for i, bid in enumerate(bids)
    ]
    ranked = rank(entries, data.draw(st.none() | weights))
    for high, low in ((a, b) for i, a in enumerate(ranked) for b in ranked[i + 1 :]):
        assert high.score.eligible or not low.score.eligible
        same_gate = (high.score.eligible, high.score.meets_requirements) == (
            low.score.eligible,
            low.score.meets_requirements,
        )
        if same_gate:
            lower, higher = criterion_values(low.score), criterion_values(high.score)
            dominated = all(x >= y for x, y in zip(lower, higher, strict=True)) and lower != higher
            assert not dominated


def test_a_dominated_proposal_never_wins_a_tie_on_the_clock() -> None:
    rfp = support_desk_rfp().model_copy(update={"weights": Weights(sla_quality=1, lock_in=0, cost=0)})
    good = good_support_desk()
    worse = good.model_copy(update={"terms": good.terms.model_copy(update={"auto_renews": True})})
    better_later, worse_earlier = score(good, rfp), score(worse, rfp)
    assert better_later.total == worse_earlier.total  # lock-in weighs nothing: a tie on the total
    ranked = rank(
        [RankInput("worse", worse_earlier, T0), RankInput("better", better_later, T0 + timedelta(days=1))]
    )
    assert [entry.key for entry in ranked] == ["better", "worse"]


PERFECT = ProposalTerms(
    summary="the perfect desk",
    sla=Sla(
        kpis=tuple(
            Kpi(
                metric=metric,
                comparator=comparator,
                unit=unit,
                target=target,
                measurement_method="Zendesk report",
                measurement_window=Cadence.MONTHLY,
                remedies=(CREDIT_10,),
            )
            for metric, comparator, unit, target in (
                (KpiMetric.CSAT, AT_LEAST, KpiUnit.SCORE_5, 4.5),
                (KpiMetric.FIRST_RESPONSE_TIME, AT_MOST, KpiUnit.MINUTES, 60),
            )
        ),
        reporting_cadence=Cadence.MONTHLY,
        escalation_path=good_support_desk().sla.escalation_path,
    ),
    pricing=FlatMonthlyPricing(monthly_fee=usd(0)),
    terms=STANDARD_TERMS,
)


@PROPERTY
@given(weights)
def test_a_perfect_proposal_totals_exactly_100_under_any_weights(override: Weights) -> None:
    result = score(PERFECT, support_desk_rfp(), override)
    assert (result.sla_quality, result.lock_in_exposure, result.cost_score) == (100, 0, 100)
    assert result.total == 100.0
    assert sum(c.contribution for c in result.components) == 100.0


def test_a_perfect_proposal_totals_100_under_equal_weights() -> None:
    equal = Weights(sla_quality=1, lock_in=1, cost=1)
    assert score(PERFECT, support_desk_rfp(), equal).total == 100.0


def test_scoring_needs_no_rfp_requirements_to_score_a_perfect_sla() -> None:
    rfp: RfpContext = support_desk_rfp().model_copy(update={"requirements": ()})
    assert score(PERFECT, rfp).sla_quality == 100
    assert Decimal(0) == Decimal(repr(score(PERFECT, rfp).lock_in_exposure))


def test_money_amounts_are_canonical() -> None:
    from scoring.model import Money

    assert str(Money(amount=Decimal("-0.00"), currency_code="USD").amount) == "0.00"
    assert str(Money(amount=Decimal("1E+3"), currency_code="USD").amount) == "1000"
