"""The evaluation team as Rfp and Proposal show it: qualitative criteria, evaluator scores and
consensus, and the resolvers of the fields they add to those types (issue 17)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import strawberry

from market.records import (
    ConsensusRecord,
    EvaluationRecord,
    ProposalRecord,
    QualitativeCriterionRecord,
    RfpRecord,
)
from schema.common import to_global_id
from schema.context import ContextInfo, context_of
from schema.members.types import Member


@strawberry.type(
    description="A criterion no formula scores (a transition plan, references): evaluators score "
    "it from 0 to scaleMax; its weight is its share of the RFP's total."
)
class QualitativeCriterion:
    id: strawberry.ID = strawberry.field(description="The criterion's id, as criterionId takes it.")
    name: str = strawberry.field(description="A short name, e.g. 'Transition plan'.")
    description: str = strawberry.field(description="What the evaluators judge.")
    scale_max: int = strawberry.field(description="The top of the scale: 5 or 10 (scores are whole levels).")
    weight: float = strawberry.field(
        description="Its share of the total; the computed weights and every criterion's sum to 1."
    )
    guidance: list[str] = strawberry.field(
        description="What each level means, from 0 to scaleMax; empty when the buyer gave none."
    )

    @classmethod
    def of(cls, record: QualitativeCriterionRecord) -> QualitativeCriterion:
        return cls(
            id=to_global_id("QualitativeCriterion", record.id),
            name=record.name,
            description=record.description,
            scale_max=record.scale_max,
            weight=record.weight,
            guidance=list(record.guidance),
        )


@strawberry.type(
    description="One evaluator's score of a proposal on a criterion. Seen by the buyer's lead, "
    "owner and observers; an evaluator sees only their own until the lead opens consensus."
)
class Evaluation:
    criterion: QualitativeCriterion = strawberry.field(description="The criterion scored.")
    evaluator: Member = strawberry.field(description="Who scored it.")
    score: float = strawberry.field(description="A whole level from 0 to the criterion's scaleMax.")
    justification: str = strawberry.field(
        description="Why; at least 20 characters at the extremes of the scale (0 and scaleMax)."
    )
    at: datetime = strawberry.field(description="When it was last given (UTC).")
    outlier: bool = strawberry.field(
        description="True when this score is far (over 30% of the scale) from the mean of the other "
        "evaluators' scores on the criterion; false whenever the viewer cannot see all the scores."
    )


@strawberry.type(
    description="The score the lead recorded for a proposal on a criterion; it enters the total."
)
class Consensus:
    criterion: QualitativeCriterion = strawberry.field(description="The criterion.")
    score: float = strawberry.field(description="The agreed score, a whole level from 0 to scaleMax.")
    reason: str = strawberry.field(description="Why the team agreed on it.")
    mean: float = strawberry.field(description="The evaluators' mean score when it was recorded.")
    spread: float = strawberry.field(description="Highest minus lowest evaluator score when recorded.")
    at: datetime = strawberry.field(description="When it was recorded (UTC).")


def _criteria(rfp: RfpRecord) -> dict[str, QualitativeCriterion]:
    return {c.id: QualitativeCriterion.of(c) for c in rfp.qualitative_criteria}


def consensus_of(record: ConsensusRecord, rfp: RfpRecord) -> Consensus | None:
    criterion = _criteria(rfp).get(record.criterion_id)
    if criterion is None:
        return None
    return Consensus(
        criterion=criterion,
        score=record.score,
        reason=record.reason,
        mean=record.mean,
        spread=record.spread,
        at=record.at,
    )


async def evaluation_of(
    info: ContextInfo, record: EvaluationRecord, rfp: RfpRecord, outlier: bool = False
) -> Evaluation | None:
    context = context_of(info)
    criterion = _criteria(rfp).get(record.criterion_id)
    member = await context.market.members.get_member(context.viewer, record.member_id)
    if criterion is None or member is None:
        return None
    return Evaluation(
        criterion=criterion,
        evaluator=Member.of(member),
        score=record.score,
        justification=record.justification,
        at=record.at,
        outlier=outlier,
    )


class _HasRfp(Protocol):
    @property
    def record(self) -> RfpRecord: ...


class _HasProposal(Protocol):
    @property
    def record(self) -> ProposalRecord: ...


def qualitative_criteria_of(root: strawberry.Parent[_HasRfp]) -> list[QualitativeCriterion]:
    return [QualitativeCriterion.of(c) for c in root.record.qualitative_criteria]


async def evaluators_of(root: strawberry.Parent[_HasRfp], info: ContextInfo) -> list[Member]:
    context = context_of(info)
    return [Member.of(m) for m in await context.market.evaluation.evaluators(context.viewer, root.record)]


async def _rfp_of(info: ContextInfo, proposal: ProposalRecord) -> RfpRecord | None:
    return await context_of(info).loaders.rfps.load(proposal.rfp_id)


async def evaluations_of(root: strawberry.Parent[_HasProposal], info: ContextInfo) -> list[Evaluation]:
    context = context_of(info)
    rfp = await _rfp_of(info, root.record)
    if rfp is None:
        return []
    found = await context.market.evaluation.evaluations(context.viewer, root.record, rfp)
    shaped = [await evaluation_of(info, record, rfp, outlier) for record, outlier in found]
    return [each for each in shaped if each is not None]


async def consensus_list_of(root: strawberry.Parent[_HasProposal], info: ContextInfo) -> list[Consensus]:
    context = context_of(info)
    rfp = await _rfp_of(info, root.record)
    if rfp is None:
        return []
    found = await context.market.evaluation.consensus(context.viewer, root.record, rfp)
    shaped = [consensus_of(record, rfp) for record in found]
    return [each for each in shaped if each is not None]
