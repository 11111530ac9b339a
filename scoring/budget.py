"""Everything the score says about the RFP's budget, kept separable.

A buyer's budget may be hidden from vendors. So no explanation mixes budget-derived words into its
body: each component's explanation is `body + BUDGET_MARK + budget part`, the budget part made by
`budget_parts` alone, and `split_budget` takes it off again (`without_budget` takes the budget
parts off a component's explanation parts). The findings whose code depends on
the budget are `BUDGET_FINDINGS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from scoring.messages import code, explain, money, part
from scoring.model import (
    ExplanationCode,
    ExplanationPart,
    FindingCode,
    ProposalScore,
    ScoreComponent,
    Term,
    TermKind,
    Weights,
    round_minor,
)

BUDGET_MARK = " | Against the budget: "

BUDGET_FINDINGS = frozenset({FindingCode.OVER_BUDGET, FindingCode.HIGH_VOLUME_OVER_BUDGET})

# Below this normalized cost weight the money figure would be astronomical rather than informative.
MIN_COST_WEIGHT = 0.0001


# The explanation parts that say something of the budget: always at the end of a component's parts,
# from AGAINST_THE_BUDGET on, and left out of the vendor's budget-hidden view.
BUDGET_PARTS = frozenset(
    {
        ExplanationCode.AGAINST_THE_BUDGET,
        ExplanationCode.COST_BUDGET,
        ExplanationCode.COST_ZERO_BUDGET,
        ExplanationCode.COST_RATIO,
        ExplanationCode.COST_POINT_WORTH,
        ExplanationCode.POINT_WORTH,
        ExplanationCode.POINT_WORTH_NO_COST_WEIGHT,
    }
)


def budget_parts(
    criterion: str,
    per_cost_point: Decimal,
    currency_code: str,
    weights: Weights,
    cost_parts: Sequence[ExplanationPart] = (),
) -> list[ExplanationPart]:
    """What one point of `criterion` is worth in money a month near the budget, under `weights`: the
    price change that moves the total as much as one point of it does (`per_cost_point`: what one
    cost point is worth there, `money_per_cost_point` of the budget). Led by the BUDGET_MARK part."""
    normalized = weights.normalized()
    weight = {"slaQuality": normalized.sla_quality, "lockIn": normalized.lock_in, "cost": normalized.cost}
    parts = [part(ExplanationCode.AGAINST_THE_BUDGET), *cost_parts]
    named = code("criterion", criterion)
    if criterion == "cost":
        worth = money("worth", round_minor(per_cost_point, currency_code), currency_code)
        return [*parts, part(ExplanationCode.COST_POINT_WORTH, worth)]
    if normalized.cost < MIN_COST_WEIGHT:
        return [*parts, part(ExplanationCode.POINT_WORTH_NO_COST_WEIGHT, named)]
    ratio = Decimal(repr(weight[criterion])) / Decimal(repr(normalized.cost))
    worth = money("worth", round_minor(per_cost_point * ratio, currency_code), currency_code)
    weighs = [
        Term(name="weight", kind=TermKind.NUMBER, value=f"{weight[criterion]:.4g}"),
        Term(name="costWeight", kind=TermKind.NUMBER, value=f"{normalized.cost:.4g}"),
    ]
    return [*parts, part(ExplanationCode.POINT_WORTH, named, worth, *weighs)]


def budget_sentence(criterion: str, per_cost_point: Decimal, currency_code: str, weights: Weights) -> str:
    """The budget part of an explanation in English (without the mark), for `criterion`."""
    return explain(budget_parts(criterion, per_cost_point, currency_code, weights)[1:])


def with_budget(body: str, budget_part: str) -> str:
    return f"{body}{BUDGET_MARK}{budget_part}"


def split_budget(explanation: str) -> tuple[str, str]:
    """(the body, the budget part) of an explanation; the budget part is "" when it has none."""
    body, _, budget_part = explanation.partition(BUDGET_MARK)
    return body, budget_part


def without_budget(parts: Sequence[ExplanationPart]) -> tuple[ExplanationPart, ...]:
    return tuple(explanation_part for explanation_part in parts if explanation_part.code not in BUDGET_PARTS)


def rephrase(component: ScoreComponent, score: ProposalScore, weights: Weights) -> ScoreComponent:
    """The component with its budget part restated under `weights` (a what-if), in words and parts."""
    worth = score.cost_point_worth
    if not split_budget(component.explanation)[1] or worth is None or component.criterion == "cost":
        return component  # the cost's budget part does not depend on the weights
    parts = budget_parts(component.criterion, worth.amount, worth.currency_code, weights)
    body = split_budget(component.explanation)[0]
    update: dict[str, object] = {"explanation": with_budget(body, explain(parts[1:]))}
    if component.explanation_parts:  # a score stored before parts existed has none to restate
        update["explanation_parts"] = (*without_budget(component.explanation_parts), *parts)
    return component.model_copy(update=update)
