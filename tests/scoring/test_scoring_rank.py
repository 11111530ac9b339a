"""Ranking order and tie-breaks, abnormally low prices, reweighing and rank stability."""

from __future__ import annotations

import decimal
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import (
    FindingCode,
    FlatMonthlyPricing,
    ProposalScore,
    RankInput,
    Weights,
    abnormally_low,
    rank,
    rank_stability,
    ranking_sort_key,
    reweigh,
    score,
)
from tests.scoring.strategies import (
    good_support_desk,
    poor_support_desk,
    proposals,
    rfps,
    support_desk_rfp,
    usd,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def fake(
    total: float, meets: bool = True, cost: str = "10000.00", eligible: bool | None = None
) -> ProposalScore:
    """A real score with its total and gates replaced, to test ordering in isolation."""
    base = score(good_support_desk(), support_desk_rfp())
    money = base.normalized_monthly_cost.model_copy(update={"amount": Decimal(cost)})
    return base.model_copy(
        update={
            "total": total,
            "meets_requirements": meets,
            "eligible": meets if eligible is None else eligible,
            "normalized_monthly_cost": money,
        }
    )


def test_eligible_first_then_requirements_then_total_then_earlier_submission_then_key() -> None:
    entries = [
        RankInput("f", fake(99.0, meets=True, eligible=False), T0),
        RankInput("e", fake(95.0, meets=False), T0),
        RankInput("d", fake(70.0), T0 + timedelta(hours=1)),
        RankInput("c", fake(70.0), T0),
        RankInput("b", fake(80.0), T0 + timedelta(days=1)),
        RankInput("a", fake(70.0), T0),
    ]
    ranked = rank(entries)
    assert [(entry.rank, entry.key) for entry in ranked] == [
        (1, "b"),
        (2, "a"),
        (3, "c"),
        (4, "d"),
        (5, "f"),  # over budget: below every eligible proposal, above those missing requirements
        (6, "e"),
    ]
    by_key = sorted(entries, key=lambda e: ranking_sort_key(e.score, e.submitted_at, e.key))
    assert [e.key for e in by_key] == [entry.key for entry in ranked]


def test_rank_with_weights_reweighs_each_score() -> None:
    rfp = support_desk_rfp()
    cheap_and_poor = poor_support_desk().model_copy(
        update={"pricing": FlatMonthlyPricing(monthly_fee=usd(1000))}
    )
    entries = [
        RankInput("good", score(good_support_desk(), rfp), T0),
        RankInput("cheap", score(cheap_and_poor, rfp), T0),
    ]
    cost_only = Weights(sla_quality=0, lock_in=0, cost=1)
    ranked = rank(entries, cost_only)
    # 'cheap' misses the requirements, so it stays below whatever the weights say
    assert [entry.key for entry in ranked] == ["good", "cheap"]
    # the same score reweighed, plus the ranking-time low-price flag (1000 is far below 14000)
    reweighed = reweigh(entries[1].score, cost_only)
    assert ranked[1].score.components == reweighed.components
    assert ranked[1].score.findings == (*reweighed.findings, ranked[1].score.findings[-1])
    assert ranked[1].score.findings[-1].code is FindingCode.ABNORMALLY_LOW_PRICE
    assert ranked[1].score.total == ranked[1].score.cost_score


def test_abnormally_low_is_prozorros_rule_from_two_bids() -> None:
    assert abnormally_low({"a": Decimal(1)}) == {}
    # two bids: 30% below the next price is enough
    flagged = abnormally_low({"a": Decimal(7000), "b": Decimal(10000)})
    assert set(flagged) == {"a"}
    assert flagged["a"].code is FindingCode.ABNORMALLY_LOW_PRICE and "10000.00" in flagged["a"].message
    assert abnormally_low({"a": Decimal("7000.01"), "b": Decimal(10000)}) == {}
    # 40% below the MEAN of the others even when the next price is close: 8000 <= 0.6 x 22833.33
    others = {"b": Decimal(8500), "c": Decimal(30000), "d": Decimal(30000)}
    flagged = abnormally_low({"a": Decimal(8000), **others})
    assert set(flagged) == {"a", "b"}  # b: 8500 <= 0.7 x 30000, the next price
    assert "mean" in flagged["a"].message and "next" not in flagged["a"].message
    assert set(abnormally_low({"a": Decimal(8001), "b": Decimal(8001), "c": Decimal(9000)})) == set()
    assert abnormally_low({"a": Decimal(0), "b": Decimal(0), "c": Decimal(0)}) == {}


def test_rank_adds_the_abnormally_low_finding_without_changing_totals() -> None:
    entries = [
        RankInput("low", fake(60.0, cost="1000.00"), T0),
        RankInput("x", fake(70.0, cost="10000.00"), T0),
        RankInput("y", fake(80.0, cost="11000.00"), T0),
    ]
    ranked = {entry.key: entry.score for entry in rank(entries)}
    before = {entry.key: entry.score.findings for entry in entries}
    assert ranked["low"].findings == (*before["low"], ranked["low"].findings[-1])
    assert ranked["low"].findings[-1].code is FindingCode.ABNORMALLY_LOW_PRICE
    assert ranked["low"].total == 60.0
    assert ranked["x"].findings == before["x"] and ranked["y"].findings == before["y"]


def test_rank_stability_is_none_below_two_proposals() -> None:
    weights = Weights(sla_quality=1, lock_in=1, cost=1)
    assert rank_stability([], weights) is None
    assert rank_stability([fake(50.0)], weights) is None


def test_rank_stability_is_one_when_a_proposal_dominates_every_criterion() -> None:
    rfp = support_desk_rfp()
    good = score(good_support_desk(), rfp)
    dearer = good_support_desk().model_copy(update={"pricing": FlatMonthlyPricing(monthly_fee=usd(20000))})
    worse = score(dearer, rfp).model_copy(update={"sla_quality": 90.0, "lock_in_exposure": 10.0})
    assert rank_stability([worse, good], rfp.weights) == 1.0


def test_rank_stability_drops_when_the_winner_depends_on_the_weights() -> None:
    rfp = support_desk_rfp()
    good = score(good_support_desk(), rfp)
    # strong on cost only, and close on the total
    rival = good.model_copy(update={"sla_quality": 85.0, "lock_in_exposure": 5.0, "cost_score": 80.0})
    stability = rank_stability([good, rival], rfp.weights)
    assert stability is not None and 0.0 < stability < 1.0
    assert rank_stability([good, rival], rfp.weights) == stability
    assert rank_stability([good, rival], rfp.weights, seed=1) != stability


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_rank_stability_is_a_deterministic_share(data: st.DataObject) -> None:
    rfp = data.draw(rfps())
    scores = [score(bid, rfp) for bid in data.draw(st.lists(proposals, min_size=2, max_size=4))]
    first = rank_stability(scores, rfp.weights, draws=50)
    assert first is not None and 0.0 <= first <= 1.0
    assert rank_stability(scores, rfp.weights, draws=50) == first


# ---------------------------------------------------------------------------- scaling shortcuts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10**6, places=2), min_size=2, max_size=30), st.data())
def test_low_price_references_are_the_mean_and_next_price_of_the_others(
    values: list[Decimal], data: st.DataObject
) -> None:
    from scoring.model import DECIMAL_CONTEXT
    from scoring.rank import low_price_references

    removed = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    cost = values[removed]
    others = values[:removed] + values[removed + 1 :]
    mean, following = low_price_references(values)[cost]
    with decimal.localcontext(DECIMAL_CONTEXT):
        assert mean == sum(others, Decimal(0)) / len(others)
    assert following == min((other for other in others if other >= cost), default=None)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(*(st.sampled_from([0.0, 25.0, 50.0, 75.0, 100.0]),) * 3, st.booleans()),
        min_size=1,
        max_size=25,
    ),
    st.tuples(*(st.floats(min_value=0.001, max_value=1.0),) * 3),
)
def test_only_the_pareto_front_can_win(
    entries: list[tuple[Any, ...]], weights: tuple[float, float, float]
) -> None:
    from scoring.rank import _contenders, _winner

    values = [entry[:3] for entry in entries]
    gates = [0 if entry[3] else 2 for entry in entries]
    assert _winner(values, gates, weights, _contenders(values, gates)) == _winner(values, gates, weights)


criterion = st.sampled_from([0.0, 33.3333, 50.0, 66.6667, 72.5, 100.0])  # few values: many ties


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(criterion, criterion, criterion), min_size=1, max_size=12),
    st.lists(st.integers(min_value=0, max_value=2), min_size=12, max_size=12),
    st.tuples(*[st.integers(min_value=1, max_value=9)] * 3),
)
def test_the_centre_winner_is_the_exact_ranks_winner(
    values: list[tuple[float, float, float]], gates: list[int], raw: tuple[int, int, int]
) -> None:
    """rank_stability's winner at the centre weighs exactly only the proposals near the best float
    total (issue 14: 20,000 decimal sums took a second): it is still the least (gate, -exact total,
    index) over every proposal, ties in total to the earlier one."""
    from scoring.model import DECIMAL_CONTEXT
    from scoring.rank import (
        _centre_winner,
        _contributions,
        _sum_at_most_100,
        exact_weights,
        weight_vector,
    )

    weights = Weights(sla_quality=raw[0] / 10, lock_in=raw[1] / 10, cost=raw[2] / 10)
    gates = gates[: len(values)]
    with decimal.localcontext(DECIMAL_CONTEXT):
        exact = [_sum_at_most_100(_contributions(value, exact_weights(weights))) for value in values]
    expected = min(range(len(values)), key=lambda index: (gates[index], -exact[index], index))
    assert _centre_winner(values, gates, weights, weight_vector(weights)) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(criterion, criterion, criterion), min_size=1, max_size=30),
    st.lists(st.integers(min_value=0, max_value=1), min_size=30, max_size=30),
)
def test_the_contenders_are_the_best_groups_pareto_front(
    values: list[tuple[float, float, float]], gates: list[int]
) -> None:
    """The front by bisection (issue 14) is the front by comparing with every member: the best
    group's proposals no earlier one is at least as good as on every criterion."""
    from scoring.rank import _contenders

    gates = gates[: len(values)]
    best = min(gates)
    group = sorted(
        (index for index in range(len(values)) if gates[index] == best),
        key=lambda index: (tuple(-v for v in values[index]), index),
    )
    front: list[int] = []
    for index in group:
        if not any(all(f >= v for f, v in zip(values[kept], values[index], strict=True)) for kept in front):
            front.append(index)
    assert _contenders(values, gates) == front
