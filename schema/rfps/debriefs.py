"""A tenderer's debrief once the RFP is awarded. Here, beside the Proposal type that carries it, so
schema/debriefs (inputs, mutations) depends on rfps and never the reverse."""

from __future__ import annotations

import strawberry

from market.records import DebriefRecord
from schema.scores.types import ProposalScore
from scoring.disclosure import budget_blind


@strawberry.type
class Debrief:
    rank: int
    of: int
    score: ProposalScore
    winner_sla_quality: float | None
    winner_lock_in_exposure: float | None
    winner_cost_score: float | None = strawberry.field(
        description="Budget-derived: null unless the viewer sees the budget."
    )
    comment: str | None
    winner_name: str | None = strawberry.field(
        description="The winner's name: null until the buyer publishes the award."
    )
    winner_total: float | None = strawberry.field(
        description="The winner's total: null until the buyer publishes the award (budget-hidden "
        "total while the budget is)."
    )

    @classmethod
    def from_record(cls, record: DebriefRecord, sees_budget: bool) -> Debrief:
        """Scores in the budget-hidden view unless the viewer sees the budget, as Proposal.score."""
        own = record.score if sees_budget else budget_blind(record.score)
        winner = record.winner_score
        if winner is not None and not sees_budget:
            winner = budget_blind(winner)
        published = record.winner_name is not None
        return cls(
            rank=record.rank,
            of=record.of,
            score=ProposalScore.of(own),
            winner_sla_quality=winner.sla_quality if winner else None,
            winner_lock_in_exposure=winner.lock_in_exposure if winner else None,
            winner_cost_score=winner.cost_score if winner and sees_budget else None,
            comment=record.comment,
            winner_name=record.winner_name,
            winner_total=winner.total if winner and published else None,
        )
