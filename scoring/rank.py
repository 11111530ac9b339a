"""From three criterion scores to a total, and from totals to a ranking.

total = sum of the components' contributions, contribution = value x normalized weight truncated to
4 decimals (truncated, not rounded, so the contributions can never add up to more than 100).

Ranking order: proposals that meet every requirement first, then the higher total, then the earlier
submission, then the key. Each proposal's place depends on its own score only, so adding, revising
or withdrawing one proposal never changes the order of the others.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal, localcontext

from scoring.findings import finding
from scoring.model import (
    DECIMAL_CONTEXT,
    Finding,
    FindingCode,
    ProposalScore,
    ScoreComponent,
    Weights,
    in_decimal_context,
    round_money,
    to_decimal,
)

CONTRIBUTION_PLACES = Decimal("0.0001")
CRITERIA = ("slaQuality", "lockIn", "cost")

# Abnormally low: below this share of the median of the other proposals, with enough of them to compare.
ABNORMALLY_LOW_SHARE = Decimal("0.5")
ABNORMALLY_LOW_MIN_PROPOSALS = 3

# Rank stability: Dirichlet concentration around the weights; EPSILON keeps a zero weight drawable.
STABILITY_CONCENTRATION = 50.0
STABILITY_EPSILON = 0.01


def entering_values(
    sla_quality: float, lock_in_exposure: float, cost_score: float
) -> tuple[float, float, float]:
    """The three criteria as they enter the total, higher is better (lock-in enters as 100 - exposure)."""
    return sla_quality, float(Decimal(100) - to_decimal(lock_in_exposure)), cost_score


def criterion_values(score: ProposalScore) -> tuple[float, float, float]:
    return entering_values(score.sla_quality, score.lock_in_exposure, score.cost_score)


def weight_vector(weights: Weights) -> tuple[float, float, float]:
    normalized = weights.normalized()
    return normalized.sla_quality, normalized.lock_in, normalized.cost


def build_components(
    values: tuple[float, float, float], explanations: Sequence[str], weights: Weights
) -> tuple[tuple[ScoreComponent, ...], float]:
    """The components and their total; the total is computed as their sum, so it adds up exactly."""
    vector = weight_vector(weights)
    contributions = _contributions(values, vector)
    total = _sum_at_most_100(contributions)
    components = tuple(
        ScoreComponent(
            criterion=criterion, value=value, weight=weight, contribution=contribution, explanation=words
        )
        for criterion, value, weight, contribution, words in zip(
            CRITERIA, values, vector, contributions, explanations, strict=True
        )
    )
    return components, total


def _contributions(values: Sequence[float], weights: Sequence[float]) -> list[float]:
    return [
        float((to_decimal(value) * to_decimal(weight)).quantize(CONTRIBUTION_PLACES, rounding=ROUND_DOWN))
        for value, weight in zip(values, weights, strict=True)
    ]


def _sum_at_most_100(contributions: list[float]) -> float:
    # The decimal contributions never exceed 100 together, but their float sum may land one ulp
    # above; nudging the largest down by ulps keeps `total == sum(contributions)` and the bound.
    while sum(contributions) > 100.0:
        largest = contributions.index(max(contributions))
        contributions[largest] = math.nextafter(contributions[largest], 0.0)
    return sum(contributions)


@in_decimal_context
def reweigh(score: ProposalScore, weights: Weights) -> ProposalScore:
    """The same criteria, costs and findings under other weights: a what-if that rescores nothing."""
    explanations = [component.explanation for component in _by_criterion(score)]
    components, total = build_components(criterion_values(score), explanations, weights)
    return score.model_copy(update={"components": components, "total": total})


def _by_criterion(score: ProposalScore) -> list[ScoreComponent]:
    order = {criterion: index for index, criterion in enumerate(CRITERIA)}
    return sorted(score.components, key=lambda component: order[component.criterion])


@dataclass(frozen=True)
class RankInput:
    key: str
    score: ProposalScore
    submitted_at: datetime


@dataclass(frozen=True)
class RankedEntry:
    rank: int
    key: str
    score: ProposalScore


def ranking_sort_key(
    score: ProposalScore, submitted_at: datetime, key: str
) -> tuple[bool, float, datetime, str]:
    return (not score.meets_requirements, -score.total, submitted_at, key)


@in_decimal_context
def rank(entries: Sequence[RankInput], weights: Weights | None = None) -> list[RankedEntry]:
    scores = {
        entry.key: reweigh(entry.score, weights) if weights is not None else entry.score for entry in entries
    }
    low = abnormally_low({key: score.normalized_monthly_cost.amount for key, score in scores.items()})
    for key, flag in low.items():
        scores[key] = scores[key].model_copy(update={"findings": (*scores[key].findings, flag)})
    ordered = sorted(
        entries, key=lambda entry: ranking_sort_key(scores[entry.key], entry.submitted_at, entry.key)
    )
    return [
        RankedEntry(rank=place, key=entry.key, score=scores[entry.key])
        for place, entry in enumerate(ordered, 1)
    ]


def median_window(count: int) -> tuple[int, int]:
    """(start, length) of the slice of the sorted costs that decides every "median of the others":
    a database can serve it from an index instead of sending every cost."""
    start = max(0, (count - 2) // 2)
    return start, min(3, count - start)


def median_of_others(window: Sequence[Decimal], start: int, count: int, cost: Decimal) -> Decimal:
    """The median of `count` sorted costs without one occurrence of `cost`, from the costs at
    positions start .. start+len(window)-1 (see median_window); equal to statistics.median of the
    others. Removing any one of equal costs leaves the same values, so the first one is removed: a
    position p of the others then holds sorted[p] while sorted[p] < cost, else sorted[p + 1]."""
    remaining = count - 1

    def at(position: int) -> Decimal:
        value = window[position - start]
        return value if value < cost else window[position + 1 - start]

    middle = remaining // 2
    if remaining % 2:
        return at(middle)
    return (at(middle - 1) + at(middle)) / 2


@in_decimal_context
def low_price_finding(cost: Decimal, median_others: Decimal) -> Finding | None:
    if cost >= median_others * ABNORMALLY_LOW_SHARE:
        return None
    message = (
        f"normalized monthly cost {round_money(cost)} is below half the median"
        f" of the other proposals ({round_money(median_others)}): underinvestment risk"
    )
    return finding(FindingCode.ABNORMALLY_LOW_PRICE, message, "pricing")


@in_decimal_context
def abnormally_low(costs: Mapping[str, Decimal]) -> dict[str, Finding]:
    """Proposals whose cost is below half the median of the OTHER proposals' costs (3 proposals or more).

    The one finding that looks at other proposals; it warns of underinvestment and never changes a score.
    """
    count = len(costs)
    if count < ABNORMALLY_LOW_MIN_PROPOSALS:
        return {}
    start, length = median_window(count)
    window = sorted(costs.values())[start : start + length]
    flagged: dict[str, Finding] = {}
    for key, cost in costs.items():
        flag = low_price_finding(cost, median_of_others(window, start, count, cost))
        if flag is not None:
            flagged[key] = flag
    return flagged


@in_decimal_context
def total_under(values: tuple[float, float, float], weights: Weights) -> float:
    """The total of criterion values (as they enter the total) under `weights`: what reweigh computes,
    without building a ProposalScore, for ranking many stored proposals at once."""
    return _sum_at_most_100(_contributions(values, weight_vector(weights)))


def rank_stability(
    scores: Sequence[ProposalScore], weights: Weights, draws: int = 500, seed: int = 20261126
) -> float | None:
    """Share of Dirichlet draws around `weights` under which the rank-1 proposal stays rank 1.

    Ties in total fall to the earlier proposal in `scores`: pass them in ranking order.
    """
    values = [criterion_values(score) for score in scores]
    meets = [score.meets_requirements for score in scores]
    return rank_stability_of(values, meets, weights, draws, seed)


def rank_stability_of(
    values: Sequence[tuple[float, float, float]],
    meets: Sequence[bool],
    weights: Weights,
    draws: int = 500,
    seed: int = 20261126,
) -> float | None:
    """rank_stability from the criterion values (as they enter the total), in ranking order."""
    if len(values) < 2:
        return None
    center = weight_vector(weights)
    # The winner at the centre is decided exactly as rank() decides it; the draws use plain floats
    # (ties between draws have probability zero, and speed matters at 500 draws x n proposals).
    with localcontext(DECIMAL_CONTEXT):
        exact = [_sum_at_most_100(_contributions(value, center)) for value in values]
    winner = min(range(len(values)), key=lambda index: (not meets[index], -exact[index], index))
    rng = random.Random(seed)
    alphas = [STABILITY_CONCENTRATION * weight + STABILITY_EPSILON for weight in center]
    contenders = _contenders(values, meets)
    kept = 0
    for _ in range(draws):
        gammas = [rng.gammavariate(alpha, 1.0) for alpha in alphas]
        drawn = tuple(gamma / sum(gammas) for gamma in gammas)
        kept += _winner(values, meets, drawn, contenders) == winner
    return kept / draws if draws else None


def _contenders(values: Sequence[tuple[float, float, float]], meets: Sequence[bool]) -> list[int]:
    """The proposals that can win under some positive weights: the best requirement group's
    Pareto front. The others are beaten on every criterion (or tied by an earlier proposal) by a
    front member, so the 500 draws need to look only at the front, not at every proposal."""
    group = [index for index in range(len(values)) if meets[index]] or list(range(len(values)))
    group.sort(key=lambda index: (tuple(-v for v in values[index]), index))
    front: list[int] = []
    for index in group:
        # Sorted best-first, so a dominating proposal is always already on the front.
        if not any(all(f >= v for f, v in zip(values[kept], values[index], strict=True)) for kept in front):
            front.append(index)
    return front


def _winner(
    values: Sequence[tuple[float, float, float]],
    meets: Sequence[bool],
    weights: Sequence[float],
    candidates: Sequence[int] | None = None,
) -> int:
    def key(index: int) -> tuple[bool, float, int]:
        total = math.fsum(value * weight for value, weight in zip(values[index], weights, strict=True))
        return (not meets[index], -total, index)

    return min(range(len(values)) if candidates is None else candidates, key=key)
