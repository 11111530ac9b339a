"""From three criterion scores to a total, and from totals to a ranking.

total = the exact weighted sum rounded to 4 decimals; the contributions (value x normalized weight)
are each truncated to 4 decimals and the few 0.0001s left over go to the largest remainders, so they
add up to the total exactly and a perfect proposal totals exactly 100 under any weights.

Ranking order (`ranking_sort_key`, the one definition): eligible proposals (they meet every
requirement and are within budget) first, then those meeting the requirements, then the higher total,
then the criteria one by one in weight order (heaviest first; equal weights in the order SLA quality,
lock-in, cost), then the earlier submission, then the key. On equal totals a proposal at least as
good on every criterion and better on one therefore ranks first (it wins the first criterion on which
they differ). Each proposal's place depends on its own score only, so adding, revising or withdrawing
one proposal never changes the order of the others.

Abnormally low price (Prozorro's rule, from two bids): a normalized cost at least 40% below the mean
of the other proposals' costs, or at least 30% below the next higher price.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal, localcontext

from scoring.findings import finding
from scoring.messages import number
from scoring.model import (
    DECIMAL_CONTEXT,
    ExplanationPart,
    Finding,
    FindingCode,
    MessageCode,
    ProposalScore,
    ScoreComponent,
    Weights,
    in_decimal_context,
    round_money,
    to_decimal,
)

CONTRIBUTION_PLACES = Decimal("0.0001")
CRITERIA = ("slaQuality", "lockIn", "cost")

# Abnormally low: at most 60% of the mean of the others, or 70% of the next higher price, from 2 bids.
LOW_SHARE_OF_MEAN = Decimal("0.6")
LOW_SHARE_OF_NEXT = Decimal("0.7")
ABNORMALLY_LOW_MIN_PROPOSALS = 2

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


def exact_weights(weights: Weights) -> tuple[Decimal, Decimal, Decimal]:
    """The normalized weights in decimal, from the weights as typed (not their float quotients)."""
    raw = [to_decimal(weights.sla_quality), to_decimal(weights.lock_in), to_decimal(weights.cost)]
    total = sum(raw, Decimal(0))
    return raw[0] / total, raw[1] / total, raw[2] / total


def build_components(
    values: tuple[float, float, float],
    explanations: Sequence[str],
    weights: Weights,
    parts: Sequence[tuple[ExplanationPart, ...]] | None = None,
) -> tuple[tuple[ScoreComponent, ...], float]:
    """The components and their total; the total is computed as their sum, so it adds up exactly.
    `parts`: each explanation as localizable parts (scoring.messages), in the same order; none given,
    the components have none (as scores stored before parts existed)."""
    parts = parts if parts is not None else [()] * len(CRITERIA)
    vector = weight_vector(weights)
    contributions = _contributions(values, exact_weights(weights))
    total = _sum_at_most_100(contributions)
    components = tuple(
        ScoreComponent(
            criterion=criterion,
            value=value,
            weight=weight,
            contribution=contribution,
            explanation=words,
            explanation_parts=said,
        )
        for criterion, value, weight, contribution, words, said in zip(
            CRITERIA, values, vector, contributions, explanations, parts, strict=True
        )
    )
    return components, total


def _contributions(values: Sequence[float], weights: Sequence[Decimal]) -> list[float]:
    """Largest remainder: each product truncated to 4 decimals, then the 0.0001s the rounded exact
    total still needs go to the largest remainders (earlier criterion first on equal remainders)."""
    exact = [to_decimal(value) * weight for value, weight in zip(values, weights, strict=True)]
    truncated = [product.quantize(CONTRIBUTION_PLACES, rounding=ROUND_DOWN) for product in exact]
    total = sum(exact, Decimal(0)).quantize(CONTRIBUTION_PLACES)
    missing = int((total - sum(truncated, Decimal(0))) / CONTRIBUTION_PLACES)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - truncated[i]), i))
    for index in by_remainder[: max(0, missing)]:
        truncated[index] += CONTRIBUTION_PLACES
    parts = [float(part) for part in truncated]
    # Floats of 4-decimal parts may sum an ulp off the 4-decimal total: the largest part absorbs the
    # gap, so the float total is the decimal total (a perfect proposal totals exactly 100.0).
    target = float(total)
    if sum(parts) != target:
        _absorb_gap(parts, target)
    return parts


@in_decimal_context
def apportion(values: Sequence[float], weights: Sequence[float]) -> list[float]:
    """Contributions of `values` under (normalized) `weights`, apportioned as build_components does:
    for a subset of the criteria (the vendor view), so no left-out criterion's remainder moves them."""
    return _contributions(values, [to_decimal(weight) for weight in weights])


def _absorb_gap(parts: list[float], target: float) -> None:
    """Move one non-zero part by a few ulps so that the left-to-right float sum is `target` (a
    zero-weight part is never touched). Rounding ties can skip the target for one part, so each
    non-zero part is tried, from the last."""
    for index in reversed([index for index, part in enumerate(parts) if part]):
        original = parts[index]
        candidate = original + (target - sum(parts))
        for value in (candidate, *_neighbours(candidate, 4)):
            parts[index] = value
            if sum(parts) == target:
                return
        parts[index] = original


def _neighbours(value: float, steps: int) -> list[float]:
    around, up, down = [], value, value
    for _ in range(steps):
        up, down = math.nextafter(up, math.inf), math.nextafter(down, -math.inf)
        around += [up, down]
    return around


def _sum_at_most_100(contributions: list[float]) -> float:
    # The decimal contributions never exceed 100 together, but their float sum may land one ulp
    # above; nudging the largest down by ulps keeps `total == sum(contributions)` and the bound.
    while sum(contributions) > 100.0:  # pragma: no cover - float guard
        largest = contributions.index(max(contributions))
        contributions[largest] = math.nextafter(contributions[largest], 0.0)
    return sum(contributions)


@in_decimal_context
def reweigh(score: ProposalScore, weights: Weights) -> ProposalScore:
    """The same criteria, costs and findings under other weights: a what-if that rescores nothing."""
    from scoring.budget import rephrase  # budget imports model only; imported here to keep rank light

    restated = [rephrase(component, score, weights) for component in _by_criterion(score)]
    explanations = [component.explanation for component in restated]
    parts = [component.explanation_parts for component in restated]
    components, total = build_components(criterion_values(score), explanations, weights, parts)
    return score.model_copy(update={"components": components, "total": total})


def under_weights(score: ProposalScore, weights: Weights) -> ProposalScore:
    """`score` as it totals under `weights`: itself when it was computed under them (bit for bit
    what reweigh would give), else reweighed."""
    if [component.weight for component in _by_criterion(score)] == list(weight_vector(weights)):
        return score
    return reweigh(score, weights)


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


def criteria_in_weight_order(weights: Sequence[float]) -> list[int]:
    """Indexes of CRITERIA from the heaviest weight to the lightest (equal weights keep CRITERIA order)."""
    return sorted(range(len(CRITERIA)), key=lambda index: (-weights[index], index))


SortKey = tuple[bool, bool, float, tuple[float, ...], datetime, str]


def ranking_sort_key(score: ProposalScore, submitted_at: datetime, key: str) -> SortKey:
    """The ranking order, defined once (api/ranking.py's rank_key encodes exactly this)."""
    weights = [component.weight for component in _by_criterion(score)]
    return order_key(
        score.eligible,
        score.meets_requirements,
        score.total,
        criterion_values(score),
        weights,
        submitted_at,
        key,
    )


def order_key(
    eligible: bool,
    meets: bool,
    total: float,
    values: Sequence[float],
    weights: Sequence[float],
    submitted_at: datetime,
    key: str,
) -> SortKey:
    """ranking_sort_key from the parts a stored ranking entry keeps (for what-if weights in memory)."""
    tie_break = tuple(-values[index] for index in criteria_in_weight_order(weights))
    return (not eligible, not meets, -total, tie_break, submitted_at, key)


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


@in_decimal_context
def low_price_finding(cost: Decimal, mean_others: Decimal, next_price: Decimal | None) -> Finding | None:
    """ABNORMALLY_LOW_PRICE when `cost` is at least 40% below the mean of the other proposals or at
    least 30% below the next higher price (Prozorro's rule); None otherwise."""
    below_mean = mean_others > 0 and cost <= mean_others * LOW_SHARE_OF_MEAN
    below_next = low_by_next(cost, next_price)
    if not (below_mean or below_next):
        return None
    # Normalized costs are compared within one RFP's currency, which this rule is not told: plain numbers.
    terms = [number("cost", round_money(cost))]
    if below_mean:
        terms.append(number("mean", round_money(mean_others)))
    if below_next:
        assert next_price is not None
        terms.append(number("next", round_money(next_price)))
    said = (
        MessageCode.LOW_PRICE_BELOW_BOTH
        if below_mean and below_next
        else MessageCode.LOW_PRICE_BELOW_MEAN
        if below_mean
        else MessageCode.LOW_PRICE_BELOW_NEXT
    )
    return finding(FindingCode.ABNORMALLY_LOW_PRICE, said, terms, "pricing")


@in_decimal_context
def low_price_references(costs: Sequence[Decimal]) -> dict[Decimal, tuple[Decimal, Decimal | None]]:
    """For each distinct cost: (the mean of the others, the next higher price among the others, or
    None). Removing one occurrence of a cost leaves the same others whichever occurrence it is."""
    ordered = sorted(costs)
    count = len(ordered)
    total = sum(ordered, Decimal(0))
    references: dict[Decimal, tuple[Decimal, Decimal | None]] = {}
    for position, cost in enumerate(ordered):
        if cost in references:
            continue
        following = ordered[position + 1] if position + 1 < count else None
        references[cost] = ((total - cost) / (count - 1), following)
    return references


@in_decimal_context
def low_by_next(cost: Decimal, next_price: Decimal | None) -> bool:
    """The second half of the rule: at least 30% below the next higher price."""
    return next_price is not None and next_price > 0 and cost <= next_price * LOW_SHARE_OF_NEXT


@in_decimal_context
def low_price_from_sums(
    cost: Decimal, count: int, total: Decimal, next_price: Decimal | None
) -> Finding | None:
    """low_price_finding from an RFP's running figures (the number and sum of its live costs, and
    `cost`'s next higher price): the mean of the others is (total - cost) / (count - 1), exactly the
    figure low_price_references computes from the whole list."""
    if count < ABNORMALLY_LOW_MIN_PROPOSALS:
        return None
    return low_price_finding(cost, (total - cost) / (count - 1), next_price)


@in_decimal_context
def running_total(total: Decimal, added: Sequence[Decimal], removed: Sequence[Decimal]) -> Decimal:
    """An RFP's sum of live costs after some arrive and some leave (exact: 34 digits hold it)."""
    return total + sum(added, Decimal(0)) - sum(removed, Decimal(0))


@in_decimal_context
def low_price_summary(costs: Sequence[Decimal]) -> tuple[Decimal, dict[Decimal, Decimal]]:
    """What an RFP keeps so the rule needs no scan: the sum of its costs, and the costs flagged by
    the next-price half with their next price. That map stays short: each flagged cost's next one is
    at least 1/0.7 times larger, so a flagged chain from 1 cent to a billion has under 80 links."""
    ordered = sorted(costs)
    flagged: dict[Decimal, Decimal] = {}
    for position, cost in enumerate(ordered[:-1]):
        # The next price after a cost's first occurrence, as low_price_references takes it.
        following = ordered[position + 1]
        first = position == 0 or ordered[position - 1] != cost
        if first and low_by_next(cost, following):
            flagged[cost] = following
    return sum(ordered, Decimal(0)), flagged


@in_decimal_context
def abnormally_low(costs: Mapping[str, Decimal]) -> dict[str, Finding]:
    """Proposals whose cost is abnormally low against the OTHER proposals' costs (2 proposals or more).

    The one finding that looks at other proposals; it warns of underinvestment and never changes a score.
    """
    if len(costs) < ABNORMALLY_LOW_MIN_PROPOSALS:
        return {}
    references = low_price_references(list(costs.values()))
    flagged: dict[str, Finding] = {}
    for key, cost in costs.items():
        flag = low_price_finding(cost, *references[cost])
        if flag is not None:
            flagged[key] = flag
    return flagged


@in_decimal_context
def total_under(values: tuple[float, float, float], weights: Weights) -> float:
    """The total of criterion values (as they enter the total) under `weights`: what reweigh computes,
    without building a ProposalScore, for ranking many stored proposals at once."""
    return _sum_at_most_100(_contributions(values, exact_weights(weights)))


def gate(score: ProposalScore) -> int:
    """The ranking group: 0 eligible, 1 meets the requirements but over budget, 2 the rest."""
    return gate_of(score.eligible, score.meets_requirements)


def gate_of(eligible: bool, meets: bool) -> int:
    return 0 if eligible else 1 if meets else 2


def rank_stability(
    scores: Sequence[ProposalScore], weights: Weights, draws: int = 500, seed: int = 20261126
) -> float | None:
    """Share of Dirichlet draws around `weights` under which the rank-1 proposal stays rank 1.

    Ties in total fall to the earlier proposal in `scores`: pass them in ranking order.
    """
    values = [criterion_values(score) for score in scores]
    return rank_stability_of(values, [gate(score) for score in scores], weights, draws, seed)


def rank_stability_of(
    values: Sequence[tuple[float, float, float]],
    gates: Sequence[int],
    weights: Weights,
    draws: int = 500,
    seed: int = 20261126,
) -> float | None:
    """rank_stability from the criterion values (as they enter the total) and each proposal's gate
    (see `gate`: 0 eligible, 1 meets the requirements only, 2 neither), in ranking order."""
    if len(values) < 2:
        return None
    center = weight_vector(weights)
    # The winner at the centre is decided exactly as rank() decides it; the draws use plain floats
    # (ties between draws have probability zero, and speed matters at 500 draws x n proposals).
    winner = _centre_winner(values, gates, weights, center)
    rng = random.Random(seed)
    alphas = [STABILITY_CONCENTRATION * weight + STABILITY_EPSILON for weight in center]
    contenders = _contenders(values, gates)
    kept = 0
    for _ in range(draws):
        gammas = [rng.gammavariate(alpha, 1.0) for alpha in alphas]
        drawn = tuple(gamma / sum(gammas) for gamma in gammas)
        kept += _winner(values, gates, drawn, contenders) == winner
    return kept / draws if draws else None


# How far a float total may be from the exact (decimal, 4-place) one, with room to spare: the
# rounding to 4 places moves it by 0.00005 at most, the float products by far less.
TIE_MARGIN = 0.001


def _centre_winner(
    values: Sequence[tuple[float, float, float]],
    gates: Sequence[int],
    weights: Weights,
    center: tuple[float, float, float],
) -> int:
    """rank()'s winner at the centre: the least (gate, -exact total, index). The exact totals cost a
    decimal sum each (about 1 s at 20,000 proposals), so they are computed only for the best group's
    proposals whose float total is within TIE_MARGIN of the best: no other one can win."""
    best = min(gates)
    group = [index for index in range(len(values)) if gates[index] == best]
    floats = {index: math.fsum(v * w for v, w in zip(values[index], center, strict=True)) for index in group}
    top = max(floats.values())
    near = [index for index in group if floats[index] >= top - TIE_MARGIN]
    with localcontext(DECIMAL_CONTEXT):
        exact = exact_weights(weights)
        return min(near, key=lambda index: (-_sum_at_most_100(_contributions(values[index], exact)), index))


def _contenders(values: Sequence[tuple[float, float, float]], gates: Sequence[int]) -> list[int]:
    """The proposals that can win under some positive weights: the best requirement group's
    Pareto front. The others are beaten on every criterion (or tied by an earlier proposal) by a
    front member, so the 500 draws need to look only at the front, not at every proposal."""
    best = min(gates, default=0)
    group = [index for index in range(len(values)) if gates[index] == best]
    group.sort(key=lambda index: (tuple(-v for v in values[index]), index))
    front: list[int] = []
    # Sorted best-first, so a dominating proposal is always already on the front, and every member
    # is at least as good on the first criterion: a proposal is dominated when a member is at least
    # as good on the other two. The members' (second, third) in order, with the best third among
    # those from each on, answer that with one bisection (a loop over the front took 0.4 s at 20,000).
    pairs: list[tuple[float, float]] = []
    best_third_from: list[float] = []
    for index in group:
        _, second, third = values[index]
        at = bisect.bisect_left(pairs, (second, -math.inf))
        if at < len(pairs) and best_third_from[at] >= third:
            continue
        front.append(index)
        bisect.insort(pairs, (second, third))
        best_third_from = list(itertools.accumulate(reversed([t for _, t in pairs]), max))[::-1]
    return front


def _winner(
    values: Sequence[tuple[float, float, float]],
    gates: Sequence[int],
    weights: Sequence[float],
    candidates: Sequence[int] | None = None,
) -> int:
    first, second, third = weights  # unpacked once: this runs 500 times per figure

    def key(index: int) -> tuple[int, float, int]:
        a, b, c = values[index]
        return (gates[index], -math.fsum((a * first, b * second, c * third)), index)

    return min(range(len(values)) if candidates is None else candidates, key=key)
