"""What a vendor may see of a score while the buyer keeps the budget to itself.

The budget is the buyer's to disclose (`Rfp.budgetDisclosed`). Until it is, nothing a vendor reads may
let it compute the budget. The cost score is a function of cost/budget, and the vendor knows its own
cost, so the cost score, the cost component (its value, contribution and explanation), every
budget-dependent finding and a total that includes the cost contribution would each give the budget
away. The vendor view keeps what does not depend on the budget: SLA quality, lock-in exposure, the
vendor's own normalized costs and exit cost, whether the requirements are met, and the findings of
those criteria.

The view is rebuilt from the score's structured fields (criteria, finding codes, component criteria),
never by editing explanation sentences, so it holds whatever the scoring engine writes in its
explanations. The guard is a property test (tests/scoring/test_disclosure.py): for any proposal and
RFP, the vendor view is identical under any two budgets.
"""

from __future__ import annotations

from typing import Any

from scoring.budget import BUDGET_FINDINGS, split_budget, without_budget
from scoring.model import FindingCode, ProposalScore, in_decimal_context
from scoring.rank import apportion

# Findings whose presence or wording never depends on the budget. Allow-listed, not deny-listed: a
# code the engine adds later stays out of the vendor view until someone classifies it (a test fails
# until every code is in exactly one of the two sets).
BUDGET_INDEPENDENT_FINDINGS = frozenset(
    {
        FindingCode.GAMEABLE_METRIC,
        FindingCode.NO_OUTCOME_METRIC,
        FindingCode.MISSING_MEASUREMENT_METHOD,
        FindingCode.KPI_WITHOUT_REMEDY,
        FindingCode.NO_REMEDIES,
        FindingCode.NO_REPORTING,
        FindingCode.NO_ESCALATION_PATH,
        FindingCode.REQUIREMENT_NOT_MET,
        FindingCode.LONG_TERM,
        FindingCode.LONG_NOTICE,
        FindingCode.EXIT_PENALTY,
        FindingCode.AUTO_RENEWAL,
        FindingCode.VENDOR_OWNS_RUNBOOKS,
        FindingCode.VENDOR_OWNS_TOOLING_CONFIG,
        FindingCode.NO_KNOWLEDGE_TRANSFER,
        FindingCode.NO_TRANSITION_ASSISTANCE,
        FindingCode.NO_DATA_EXPORT,
        FindingCode.UNCAPPED_COST,
        FindingCode.ABNORMALLY_LOW_PRICE,
        FindingCode.DUPLICATE_KPI,
        FindingCode.WEAK_REMEDY,
        FindingCode.METRIC_NOT_MEANINGFUL,
        FindingCode.IMPLAUSIBLE_TARGET,
        FindingCode.SLOW_ESCALATION,
        FindingCode.HOURS_NOT_FROM_RFP,
        FindingCode.CAP_BELOW_WORKLOAD,
    }
)
BUDGET_DEPENDENT_FINDINGS = BUDGET_FINDINGS

# The components that enter the vendor's total; "cost" is a function of cost/budget.
BUDGET_INDEPENDENT_CRITERIA = frozenset({"slaQuality", "lockIn"})

# Every field of ProposalScore, classified (a test fails when a field is added and not classified):
# kept as they are in the vendor view, or rebuilt by budget_blind.
KEPT_FIELDS = frozenset(
    {
        "sla_quality",
        "lock_in_exposure",
        "normalized_monthly_cost",
        "monthly_cost_low",
        "monthly_cost_high",
        "exit_cost",
        "meets_requirements",
        "scoring_version",
    }
)
REBUILT_FIELDS = frozenset(
    {"total", "cost_score", "findings", "components", "budget_hidden", "eligible", "cost_point_worth"}
)


@in_decimal_context
def budget_blind(score: ProposalScore) -> ProposalScore:
    """The vendor view of a score while the budget is hidden: no cost criterion, no budget finding.

    costScore reads 0 (the contract's Float! cannot be null) and `total` is the sum of the
    budget-independent contributions, so `components` still add up to `total`; `budget_hidden` says so.
    """
    # Each kept explanation loses its budget part (what one point is worth in money at the budget).
    kept = [c for c in score.components if c.criterion in BUDGET_INDEPENDENT_CRITERIA]
    # Contributions are apportioned anew among the kept criteria: the full score's largest-remainder
    # rounding hands the cost's remainder to another criterion, which would move by 0.0001 with the budget.
    contributions = apportion([c.value for c in kept], [c.weight for c in kept])
    components = tuple(
        c.model_copy(
            update={
                "explanation": split_budget(c.explanation)[0],
                "explanation_parts": without_budget(c.explanation_parts),
                "contribution": contribution,
            }
        )
        for c, contribution in zip(kept, contributions, strict=True)
    )
    update: dict[str, Any] = {
        "components": components,
        "total": sum((component.contribution for component in components), 0.0),
        "cost_score": 0.0,
        "findings": tuple(f for f in score.findings if f.code in BUDGET_INDEPENDENT_FINDINGS),
        "budget_hidden": True,
        # "Meets requirements and within budget": the budget half would leak, so only the first half.
        "eligible": score.meets_requirements,
        "cost_point_worth": None,
    }
    return score.model_copy(update=update)
