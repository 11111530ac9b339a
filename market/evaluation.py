"""The evaluation team's pure rules: qualitative criteria and their weights, what a score and its
justification must be, conflict declarations, and the consensus statistics (mean, spread, outliers).
No I/O: api/services/evaluation.py applies them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from statistics import fmean

from market.records import DeclarationRecord, RfpRecord
from market.vocabulary import InputError
from scoring.model import Weights

MAX_QUALITATIVE_CRITERIA = 6
SCALES = (5, 10)  # a criterion is scored 0-5 or 0-10, in whole levels
WEIGHT_TOLERANCE = 1e-6
EXTREME_JUSTIFICATION_MIN = 20  # characters of justification at 0 or at the top of the scale
MAX_TEXT = 5000
# An evaluator whose score is further than this share of the scale from the mean of the others is
# flagged as an outlier for the lead (2 of 5, 3 of 10 rounded down: a real disagreement, not noise).
OUTLIER_SHARE = 0.3


def weights_problem(computed: Weights, qualitative: Sequence[float]) -> str | None:
    """With qualitative criteria, the three computed weights and theirs together must sum to 1
    (without any, computed weights are normalized as before)."""
    if not qualitative:
        return None
    total = computed.sla_quality + computed.lock_in + computed.cost + sum(qualitative)
    if abs(total - 1) > WEIGHT_TOLERANCE:
        return (
            "weights.slaQuality + weights.lockIn + weights.cost + every qualitativeCriteria weight "
            f"must sum to 1 (they sum to {total:g})"
        )
    if computed.sla_quality + computed.lock_in + computed.cost <= 0:
        return "at least one computed weight must be positive"
    return None


def what_if_rfp(
    rfp: RfpRecord, computed: Weights | None, qualitative: Sequence[tuple[str, float]]
) -> RfpRecord:
    """The RFP as what-if qualitative weights would weigh it (stores nothing): each listed criterion
    (by local id) takes the given weight, the others keep theirs. As for the RFP's own weights, the
    computed weights (the what-if ones, else the RFP's) and every criterion's must then sum to 1.
    Raises InputError naming `qualitativeWeights`."""
    known = {c.id for c in rfp.qualitative_criteria}
    given: dict[str, float] = {}
    for index, (criterion_id, weight) in enumerate(qualitative):
        where = f"qualitativeWeights[{index}]"
        if criterion_id not in known:
            raise InputError("qualitativeWeights", f"{where}.criterionId: not a criterion of this RFP")
        if criterion_id in given:
            raise InputError("qualitativeWeights", f"{where}.criterionId: listed twice")
        if not 0 <= weight <= 1:  # also refuses NaN
            raise InputError("qualitativeWeights", f"{where}.weight: must be from 0 to 1")
        given[criterion_id] = weight
    criteria = tuple(replace(c, weight=given.get(c.id, c.weight)) for c in rfp.qualitative_criteria)
    problem = weights_problem(computed or rfp.context.weights, [c.weight for c in criteria])
    if problem is not None:
        raise InputError("qualitativeWeights", problem.replace("qualitativeCriteria", "qualitativeWeights"))
    return replace(rfp, qualitative_criteria=criteria)


def score_problem(score: float, scale_max: int) -> str | None:
    if score != int(score) or not 0 <= score <= scale_max:
        return f"must be a whole level from 0 to {scale_max}"
    return None


def justification_problem(score: float, scale_max: int, justification: str) -> str | None:
    """A justification is always welcome; at the extremes of the scale (0 and the top) it is
    required: an extreme score is the one a losing vendor will challenge."""
    text = justification.strip()
    if len(text) > MAX_TEXT:
        return f"must be at most {MAX_TEXT} characters"
    if score in (0, scale_max) and len(text) < EXTREME_JUSTIFICATION_MIN:
        return (
            f"a score of {score:g} (an extreme of the 0-{scale_max} scale) needs a justification of "
            f"at least {EXTREME_JUSTIFICATION_MIN} characters"
        )
    return None


def declaration_of(rfp: RfpRecord, member_id: str | None, vendor_id: str) -> DeclarationRecord | None:
    return next((d for d in rfp.declarations if d.member_id == member_id and d.vendor_id == vendor_id), None)


def cleared_for(rfp: RfpRecord, member_id: str | None, vendor_id: str) -> bool:
    """An assigned evaluator who declared no conflict with this vendor (and only then) may read and
    score its proposal."""
    if member_id is None or member_id not in rfp.evaluator_ids:
        return False
    declaration = declaration_of(rfp, member_id, vendor_id)
    return declaration is not None and not declaration.conflict


def mean_and_spread(scores: Sequence[float]) -> tuple[float, float]:
    """The evaluators' mean and spread (highest minus lowest); (0, 0) when nobody scored."""
    if not scores:
        return 0.0, 0.0
    return fmean(scores), max(scores) - min(scores)


def outliers(scores: Mapping[str, float], scale_max: int) -> frozenset[str]:
    """The evaluators far from the others: |score - mean of the others| > OUTLIER_SHARE x scale."""
    if len(scores) < 2:
        return frozenset()
    limit = OUTLIER_SHARE * scale_max
    flagged = set()
    for member, score in scores.items():
        others = [value for other, value in scores.items() if other != member]
        if abs(score - fmean(others)) > limit:
            flagged.add(member)
    return frozenset(flagged)
