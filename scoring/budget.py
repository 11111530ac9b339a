"""Everything the score says about the RFP's budget, kept separable.

A buyer's budget may be hidden from vendors. So no explanation mixes budget-derived words into its
body: each component's explanation is `body + BUDGET_MARK + budget part`, the budget part made by
`budget_sentence` alone, and `split_budget` takes it off again. The findings whose code depends on
the budget are `BUDGET_FINDINGS`.
"""

from __future__ import annotations

from decimal import Decimal

from scoring.model import FindingCode, ProposalScore, ScoreComponent, Weights, round_minor

BUDGET_MARK = " | Against the budget: "

BUDGET_FINDINGS = frozenset({FindingCode.OVER_BUDGET, FindingCode.HIGH_VOLUME_OVER_BUDGET})

# Below this normalized cost weight the money figure would be astronomical rather than informative.
MIN_COST_WEIGHT = 0.0001
CRITERION_NAMES = {"slaQuality": "SLA quality", "lockIn": "lock-in (100 - exposure)", "cost": "cost score"}


def budget_sentence(
    criterion: str, per_cost_point: Decimal, currency_code: str, weights: Weights, cost_words: str = ""
) -> str:
    """What one point of `criterion` is worth in money a month near the budget, under `weights`: the
    price change that moves the total as much as one point of it does (`per_cost_point`: what one
    cost point is worth there, `money_per_cost_point` of the budget)."""
    normalized = weights.normalized()
    weight = {"slaQuality": normalized.sla_quality, "lockIn": normalized.lock_in, "cost": normalized.cost}
    prefix = f"{cost_words}; " if cost_words else ""
    name = CRITERION_NAMES[criterion]
    if criterion == "cost":
        worth = round_minor(per_cost_point, currency_code)
        return f"{prefix}one point of {name} is {worth} {currency_code} a month near the budget"
    if normalized.cost < MIN_COST_WEIGHT:
        return f"{prefix}cost carries (next to) no weight, so no price difference weighs as much as {name}"
    ratio = Decimal(repr(weight[criterion])) / Decimal(repr(normalized.cost))
    worth = round_minor(per_cost_point * ratio, currency_code)
    return (
        f"{prefix}one point of {name} weighs as much in the total as {worth} {currency_code} a month of"
        f" price near the budget (weights {weight[criterion]:.4g} / cost {normalized.cost:.4g})"
    )


def with_budget(body: str, budget_part: str) -> str:
    return f"{body}{BUDGET_MARK}{budget_part}"


def split_budget(explanation: str) -> tuple[str, str]:
    """(the body, the budget part) of an explanation; the budget part is "" when it has none."""
    body, _, budget_part = explanation.partition(BUDGET_MARK)
    return body, budget_part


def rephrase(component: ScoreComponent, score: ProposalScore, weights: Weights) -> str:
    """The component's explanation with its budget part restated under `weights` (a what-if)."""
    body, budget_part = split_budget(component.explanation)
    worth = score.cost_point_worth
    if not budget_part or worth is None or component.criterion == "cost":
        return component.explanation  # the cost's budget part does not depend on the weights
    return with_budget(body, budget_sentence(component.criterion, worth.amount, worth.currency_code, weights))
