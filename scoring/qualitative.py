"""Where the evaluation team's consensus joins the computed score: THE one join point.

The three computed criteria keep their own total (scoring.rank, weights normalized as always). An
RFP with qualitative criteria gives them weights q_i and the computed criteria the rest, 1 - sum(q_i)
(market/evaluation.py makes all of them sum to 1). The overall total is

    computed_total x (1 - sum q_i)  +  sum q_i x 100 x consensus_i / scaleMax_i

on the same 0-100 scale. A criterion without a consensus yet counts 0 and the total is marked
incomplete: it can only rise once the consensus is recorded. Pure: no I/O.
"""

from __future__ import annotations

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
