"""Where the evaluation team's consensus joins the computed score: THE one join point.

The three computed criteria keep their own total (scoring.rank, weights normalized as always). An
RFP with qualitative criteria gives them weights q_i and the computed criteria the rest, 1 - sum(q_i)
(market/evaluation.py makes all of them sum to 1). The overall total is

    computed_total x (1 - sum q_i)  +  sum q_i x 100 x consensus_i / scaleMax_i

on the same 0-100 scale. A criterion without a consensus yet counts 0 and the total is marked
incomplete: it can only rise once the consensus is recorded. Pure: no I/O.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

TOTAL_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class QualitativePart:
    """One qualitative criterion of a proposal: its weight, its scale, and the consensus (None
    until the lead records it)."""

    weight: float
    scale_max: int
    consensus: float | None


@dataclass(frozen=True)
class JoinedTotal:
    total: float  # the overall total, 0-100
    complete: bool  # every qualitative criterion has its consensus


def joined_total(computed_total: float, parts: Sequence[QualitativePart]) -> JoinedTotal:
    computed_share = Decimal(1) - sum((Decimal(str(p.weight)) for p in parts), Decimal(0))
    total = Decimal(str(computed_total)) * computed_share
    for part in parts:
        if part.consensus is not None:
            level = Decimal(str(part.consensus)) / Decimal(part.scale_max)
            total += Decimal(str(part.weight)) * Decimal(100) * level
    rounded = total.quantize(TOTAL_PLACES, rounding=ROUND_HALF_EVEN)
    return JoinedTotal(total=float(rounded), complete=all(p.consensus is not None for p in parts))


STABILITY_DRAWS = 500
STABILITY_SEED = 20261126
STABILITY_CONCENTRATION = 50.0  # as scoring.rank's: draws stay near the RFP's weights
STABILITY_EPSILON = 0.01


@dataclass(frozen=True)
class JoinedCandidate:
    """A proposal as rank stability sees it on an RFP with qualitative criteria: its ranking group
    (scoring.rank.gate_of), whether its consensus is complete, and every criterion's value as it
    enters the total (the three computed ones, then each qualitative level as 100 x score / scaleMax,
    0 without consensus)."""

    gate: int
    complete: bool
    values: tuple[float, ...]


def joined_rank_stability(
    candidates: Sequence[JoinedCandidate],
    weights: Sequence[float],
    draws: int = STABILITY_DRAWS,
    seed: int = STABILITY_SEED,
) -> float | None:
    """How often the winner stays the winner when all the weights, computed and qualitative (summing
    to 1, in `weights`), are drawn around the RFP's (Dirichlet): scoring.rank.rank_stability with the
    qualitative criteria among the criteria. None with fewer than two proposals."""
    if len(candidates) < 2:
        return None
    winner = _joined_winner(candidates, weights)
    # Only the best (gate, completeness) group can win: the draws look at it alone.
    best = min((c.gate, not c.complete) for c in candidates)
    group = [i for i, c in enumerate(candidates) if (c.gate, not c.complete) == best]
    rng = random.Random(seed)
    alphas = [STABILITY_CONCENTRATION * w + STABILITY_EPSILON for w in weights]
    kept = 0
    for _ in range(draws):
        gammas = [rng.gammavariate(alpha, 1.0) for alpha in alphas]
        drawn = [gamma / sum(gammas) for gamma in gammas]
        kept += _joined_winner([candidates[i] for i in group], drawn, group) == winner
    return kept / draws if draws else None


def _joined_winner(
    candidates: Sequence[JoinedCandidate], weights: Sequence[float], indexes: Sequence[int] | None = None
) -> int:
    positions = list(indexes) if indexes is not None else list(range(len(candidates)))

    def key(offset: int) -> tuple[int, bool, float, int]:
        c = candidates[offset]
        total = sum(v * w for v, w in zip(c.values, weights, strict=True))
        return (c.gate, not c.complete, -total, positions[offset])

    return positions[min(range(len(candidates)), key=key)]
